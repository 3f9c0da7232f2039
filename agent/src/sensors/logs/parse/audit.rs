//! Linux audit log records (`type=SYSCALL msg=audit(1764692707.123:456): arch=c000003e
//! syscall=59 … exe="/usr/bin/id" key="exec"`): every `name=value` pair as a field of
//! that name, as SigmaHQ's auditd rules name them (`type`, `syscall`, `exe`, `a0`…,
//! `key`, `name`), the value unquoted; hex-encoded values (EXECVE arguments with spaces)
//! are decoded. `msg=audit(TIME:ID)` gives `LogTime` and `AuditId`.
//!
//! One record stays one event, so SigmaHQ's rules (each written for one record type)
//! match as written; [`assemble`] then gives each record of an audit event (SYSCALL,
//! EXECVE, CWD, PATH, PROCTITLE… sharing `AuditId`) the fields of the others it lacks, so
//! a rule may also combine them (an EXECVE record carries the SYSCALL's `exe`, `auid`
//! and `key`, the CWD's `cwd`).

use serde_json::{Map, Value};
use vigie_model::event::field;
use vigie_model::EventDraft;

/// The fields of `line`, or `None` when it is not an audit record.
pub fn parse(line: &str) -> Option<Map<String, Value>> {
    let rest = line.strip_prefix("type=")?;
    let (kind, rest) = rest.split_once(' ')?;
    let mut map = Map::new();
    map.insert("type".into(), kind.into());
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix("msg=audit(") {
        Some(r) => {
            let (stamp, r) = r.split_once("):")?;
            let (time, id) = stamp.split_once(':')?;
            map.insert(field::LOG_TIME.into(), time.into());
            map.insert("AuditId".into(), id.into());
            r
        }
        None => rest,
    };
    for (name, value, quoted) in pairs(rest) {
        // A record written from user space carries its own `msg='…'`: its pairs count too.
        if name == "msg" {
            for (n, v, q) in pairs(value) {
                map.insert(n.to_string(), decoded(kind, n, v, q).into());
            }
            continue;
        }
        map.insert(name.to_string(), decoded(kind, name, value, quoted).into());
    }
    Some(map)
}

/// Fields that belong to their own record and are never lent to the others: where it
/// lies, what it is, its text, and per-record values (EXECVE arguments, SYSCALL
/// registers, a PATH's item number).
fn own_field(name: &str) -> bool {
    matches!(
        name,
        "type"
            | "AuditTypes"
            | "argc"
            | "item"
            | "items"
            | field::MESSAGE
            | field::LOG_OFFSET
            | field::LOG_INODE
            | field::LOG_FILE
            | field::LINE_TRUNCATED
    ) || (name.len() > 1 && name.starts_with('a') && name[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// `new` records after those `held` from the last look, less the last event's, now
/// held in turn: its other records may not be written yet. A look that brings nothing
/// releases what was held (the writer has finished it).
pub fn hold_last_event(held: &mut Vec<EventDraft>, new: Vec<EventDraft>) -> Vec<EventDraft> {
    let mut all = std::mem::take(held);
    if new.is_empty() {
        return all;
    }
    all.extend(new);
    let id = |d: &EventDraft| d.fields.get("AuditId").cloned();
    if let Some(last) = all.last().and_then(id) {
        let start = all
            .iter()
            .rposition(|d| id(d).as_ref() != Some(&last))
            .map_or(0, |i| i + 1);
        *held = all.split_off(start);
    }
    all
}

/// Joins the records of each audit event found in `drafts` (consecutive drafts with
/// the same `AuditId`, as auditd writes them): each gets the fields of the others it
/// lacks, and `AuditTypes` lists the event's record types (`SYSCALL,EXECVE,CWD,PATH`).
pub fn assemble(drafts: &mut [EventDraft]) {
    let mut start = 0;
    while start < drafts.len() {
        let id = drafts[start].fields.get("AuditId").cloned();
        let mut end = start + 1;
        if id.is_some() {
            while end < drafts.len() && drafts[end].fields.get("AuditId") == id.as_ref() {
                end += 1;
            }
        }
        if end - start > 1 {
            let group = &mut drafts[start..end];
            let mut shared = Map::new();
            let mut types = Vec::new();
            for draft in group.iter() {
                if let Some(kind) = draft.fields.get("type").and_then(Value::as_str) {
                    types.push(kind.to_string());
                }
                for (name, value) in &draft.fields {
                    if !own_field(name) && !shared.contains_key(name) {
                        shared.insert(name.clone(), value.clone());
                    }
                }
            }
            let types = types.join(",");
            for draft in group.iter_mut() {
                for (name, value) in &shared {
                    draft
                        .fields
                        .entry(name.clone())
                        .or_insert_with(|| value.clone());
                }
                draft
                    .fields
                    .insert("AuditTypes".into(), types.clone().into());
            }
        }
        start = end;
    }
}

/// `name=value` pairs, and whether the value was quoted (with `"` or `'`).
fn pairs(text: &str) -> Vec<(&str, &str, bool)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some((name, after)) = rest.split_once('=') {
        let name = name.trim();
        let (value, next, quoted) = match after.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => match after[1..].find(q as char) {
                Some(end) => (&after[1..1 + end], &after[2 + end..], true),
                None => (&after[1..], "", true),
            },
            _ => {
                let (v, n) = after.split_once(' ').unwrap_or((after, ""));
                (v, n, false)
            }
        };
        if !name.is_empty() && !name.contains(' ') {
            out.push((name, value, quoted));
        }
        rest = next.trim_start();
    }
    out
}

/// The kernel writes a string it does not trust (arguments, paths, names) quoted, or in
/// upper-case hex when it holds a space, a quote or a control character: such a value is
/// decoded when it is text. Numbers and other fields are kept as written.
/// (`a0`… are strings in EXECVE records only; in SYSCALL records they are registers.)
fn decoded(kind: &str, name: &str, value: &str, quoted: bool) -> String {
    let argument = kind == "EXECVE"
        && name.len() > 1
        && name.starts_with('a')
        && name[1..].bytes().all(|b| b.is_ascii_digit());
    let untrusted = argument
        || matches!(
            name,
            "proctitle" | "name" | "comm" | "exe" | "cwd" | "cmd" | "data" | "acct" | "path"
        );
    if !quoted
        && untrusted
        && value.len() >= 2
        && value.len().is_multiple_of(2)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        if let Some(text) = vigie_model::hex::decode(value).and_then(|b| String::from_utf8(b).ok())
        {
            if text.chars().all(|c| !c.is_control() || c == '\t') {
                return text;
            }
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_give_sigma_auditd_fields() {
        let m = parse(r#"type=SYSCALL msg=audit(1764692707.123:456): arch=c000003e syscall=59 success=yes exit=0 a0=41 comm="id" exe="/usr/bin/id" key="exec""#).unwrap();
        assert_eq!(m["type"], "SYSCALL");
        assert_eq!(m["AuditId"], "456");
        assert_eq!(m["syscall"], "59");
        assert_eq!(m["a0"], "41", "a register, not a string");
        assert_eq!(m["exe"], "/usr/bin/id");
        assert_eq!(m["key"], "exec");
        let m = parse(r#"type=EXECVE msg=audit(1764692707.123:456): argc=3 a0="sh" a1="-c" a2=6563686F206869"#).unwrap();
        assert_eq!(m["a2"], "echo hi");
        let m = parse(r#"type=USER_AUTH msg=audit(1764692707.1:7): pid=1 uid=0 msg='op=PAM:authentication acct="root" exe="/usr/sbin/sshd" res=failed'"#).unwrap();
        assert_eq!(m["acct"], "root");
        assert_eq!(m["res"], "failed");
        assert!(parse("Dec  2 16:25:07 h x: y").is_none());
    }

    #[test]
    fn the_records_of_one_event_lend_each_other_their_fields() {
        let record = |line: &str| {
            let mut d = EventDraft::now(vigie_model::event::Category::Log);
            d.fields = parse(line).unwrap();
            d
        };
        let mut drafts = vec![
            record(
                r#"type=SYSCALL msg=audit(1.5:77): arch=c000003e syscall=59 success=yes a0=41 a2=7 auid=1000 exe="/usr/bin/cat" key="shadow""#,
            ),
            record(r#"type=EXECVE msg=audit(1.5:77): argc=2 a0="cat" a1="/etc/shadow""#),
            record(r#"type=CWD msg=audit(1.5:77): cwd="/tmp""#),
            record(r#"type=SYSCALL msg=audit(1.6:78): syscall=2 exe="/usr/bin/vi""#),
        ];
        assemble(&mut drafts);
        let execve = &drafts[1].fields;
        assert_eq!(execve["type"], "EXECVE");
        assert_eq!(execve["exe"], "/usr/bin/cat");
        assert_eq!(execve["key"], "shadow");
        assert_eq!(execve["cwd"], "/tmp");
        assert_eq!(execve["a0"], "cat", "its own arguments");
        assert!(execve.get("a2").is_none(), "not the SYSCALL's registers");
        assert_eq!(execve["AuditTypes"], "SYSCALL,EXECVE,CWD");
        assert_eq!(drafts[0].fields["cwd"], "/tmp");
        assert!(drafts[3].fields.get("cwd").is_none(), "another event");
    }

    #[test]
    fn an_event_split_across_two_looks_is_joined_whole() {
        let record = |line: &str| {
            let mut d = EventDraft::now(vigie_model::event::Category::Log);
            d.fields = parse(line).unwrap();
            d
        };
        let mut held = Vec::new();
        // First look: one whole event, and the first record of the next.
        let out = hold_last_event(
            &mut held,
            vec![
                record(r#"type=SYSCALL msg=audit(1.1:10): syscall=2 exe="/usr/bin/vi""#),
                record(
                    r#"type=SYSCALL msg=audit(1.2:11): syscall=59 exe="/usr/bin/cat" key="shadow""#,
                ),
            ],
        );
        assert_eq!(out.len(), 1, "the whole event goes");
        assert_eq!(held.len(), 1, "the next one waits");
        // Second look: the rest of it.
        let mut out = hold_last_event(
            &mut held,
            vec![record(
                r#"type=EXECVE msg=audit(1.2:11): argc=2 a0="cat" a1="/etc/shadow""#,
            )],
        );
        assemble(&mut out);
        assert!(
            out.is_empty() && held.len() == 2,
            "still the last event: it waits"
        );
        // A quiet look releases it, whole.
        let mut out = hold_last_event(&mut held, Vec::new());
        assemble(&mut out);
        assert!(held.is_empty());
        assert_eq!(
            out[1].fields["exe"], "/usr/bin/cat",
            "the EXECVE has its SYSCALL's program"
        );
        assert_eq!(out[1].fields["key"], "shadow");
    }
}

//! What the messages of sshd, sudo, su and the account tools (useradd, usermod,
//! gpasswd, passwd…) say, as fields rules can test: who, from where, with what outcome.
//! Only the lines that decide an attempt carry `Outcome` (sshd's `Failed …` and
//! `Accepted …`, not the PAM lines that repeat them), so counting failures counts each
//! attempt once.

use serde_json::{Map, Value};
use vigie_model::event::field;

/// The Sigma service of a line written by `program`, if the program tells.
pub fn service_of(program: &str) -> Option<&'static str> {
    let program = program.rsplit('/').next().unwrap_or(program);
    Some(match program.to_ascii_lowercase().as_str() {
        "sshd" | "sshd-session" => "sshd",
        "sudo" => "sudo",
        "cron" | "crond" | "anacron" | "crontab" => "cron",
        "vsftpd" => "vsftpd",
        "clamd" | "freshclam" | "clamav" | "clamscan" => "clamav",
        "auditd" | "audispd" | "auditctl" | "augenrules" => "auditd",
        "su" | "login" | "useradd" | "userdel" | "usermod" | "groupadd" | "groupdel"
        | "groupmod" | "gpasswd" | "passwd" | "chpasswd" | "chage" | "chsh" | "chfn"
        | "systemd-logind" | "polkitd" | "pkexec" | "newgrp" | "adduser" | "deluser" => "auth",
        _ => return None,
    })
}

/// Adds to `fields` what `program`'s `message` says.
pub fn fields(program: &str, message: &str, fields: &mut Map<String, Value>) {
    let program = program.rsplit('/').next().unwrap_or(program);
    match program {
        "sshd" | "sshd-session" => sshd(message, fields),
        "sudo" => sudo(message, fields),
        "su" => su(message, fields),
        _ => account(message, fields),
    }
}

fn set(fields: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    fields.insert(name.to_string(), value.into());
}

/// `… from ADDRESS port PORT …`
fn source(rest: &str, fields: &mut Map<String, Value>) {
    let mut words = rest.split_whitespace();
    while let Some(w) = words.next() {
        if w == "from" {
            if let Some(ip) = words.next() {
                set(fields, field::SOURCE_IP, ip);
            }
            if words.next() == Some("port") {
                if let Some(port) = words.next().and_then(|p| p.parse::<u16>().ok()) {
                    set(fields, field::SOURCE_PORT, port);
                }
            }
            return;
        }
    }
}

fn sshd(message: &str, fields: &mut Map<String, Value>) {
    for (start, outcome) in [("Failed ", "failure"), ("Accepted ", "success")] {
        let Some(rest) = message.strip_prefix(start) else {
            continue;
        };
        // "Failed password for [invalid user ]NAME from IP port PORT ssh2"
        let Some((method, rest)) = rest.split_once(" for ") else {
            return;
        };
        set(fields, field::OUTCOME, outcome);
        set(fields, field::AUTH_METHOD, method);
        let (invalid, rest) = match rest.strip_prefix("invalid user ") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if let Some(i) = rest.rfind(" from ") {
            set(fields, field::TARGET_USER, &rest[..i]);
            source(&rest[i..], fields);
        }
        set(fields, field::INVALID_USER, invalid);
        return;
    }
    // "Invalid user NAME from IP port PORT"
    if let Some(rest) = message.strip_prefix("Invalid user ") {
        if let Some(i) = rest.rfind(" from ") {
            set(fields, field::TARGET_USER, &rest[..i]);
            source(&rest[i..], fields);
        }
        set(fields, field::INVALID_USER, true);
        return;
    }
    // "error: maximum authentication attempts exceeded for root from …", "Disconnected
    // from authenticating user root 10.0.0.2 port 22 [preauth]": where from, no outcome.
    if message.contains(" from ") {
        source(message, fields);
    }
}

/// `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`, possibly
/// with a failure first (`3 incorrect password attempts ;`, `user NOT in sudoers ;`).
fn sudo(message: &str, fields: &mut Map<String, Value>) {
    let Some((user, rest)) = message.trim_start().split_once(" : ") else {
        return;
    };
    set(fields, field::USER, user.trim());
    let mut failure = None;
    for part in rest.split(" ; ") {
        match part.split_once('=') {
            Some(("TTY", v)) => set(fields, "Tty", v),
            Some(("PWD", v)) => set(fields, field::CURRENT_DIRECTORY, v),
            Some(("USER", v)) => set(fields, field::TARGET_USER, v),
            Some(("COMMAND", v)) => set(fields, field::COMMAND_LINE, v),
            Some(_) => {}
            None => failure = Some(part.trim()),
        }
    }
    match failure {
        Some(reason) => {
            set(fields, field::OUTCOME, "failure");
            set(fields, field::REASON, reason);
        }
        None if fields.contains_key(field::COMMAND_LINE) => set(fields, field::OUTCOME, "success"),
        None => {}
    }
}

/// `FAILED SU (to root) alice on pts/0`, `(to root) alice on pts/0`.
fn su(message: &str, fields: &mut Map<String, Value>) {
    let (outcome, rest) = match message.strip_prefix("FAILED SU ") {
        Some(rest) => ("failure", rest),
        None => ("success", message),
    };
    let Some(rest) = rest.strip_prefix("(to ") else {
        return;
    };
    let Some((target, rest)) = rest.split_once(") ") else {
        return;
    };
    set(fields, field::OUTCOME, outcome);
    set(fields, field::TARGET_USER, target);
    if let Some(user) = rest.split_whitespace().next() {
        set(fields, field::USER, user);
    }
}

/// Account changes: useradd, groupadd, usermod, gpasswd, userdel, passwd.
fn account(message: &str, fields: &mut Map<String, Value>) {
    let named = |text: &str, key: &str| -> Option<String> {
        text.split([',', ' '])
            .find_map(|part| part.strip_prefix(key))
            .map(|v| v.trim_matches('\'').to_string())
    };
    let (action, user, group) = if let Some(rest) = message.strip_prefix("new user: ") {
        ("user_created", named(rest, "name="), None)
    } else if let Some(rest) = message.strip_prefix("new group: ") {
        ("group_created", None, named(rest, "name="))
    } else if let Some(rest) = message.strip_prefix("delete user ") {
        (
            "user_deleted",
            Some(rest.trim_matches('\'').to_string()),
            None,
        )
    } else if let Some(rest) = message.strip_prefix("add ") {
        // usermod: "add 'bob' to group 'sudo'", "add 'bob' to shadow group 'sudo'"
        let Some((user, group)) = rest.split_once(" to ") else {
            return;
        };
        let group = group.rsplit(' ').next().unwrap_or(group);
        (
            "added_to_group",
            Some(user.trim_matches('\'').to_string()),
            Some(group.trim_matches('\'').to_string()),
        )
    } else if let Some(rest) = message.strip_prefix("user ") {
        // gpasswd: "user bob added by root to group sudo"
        let Some((user, rest)) = rest.split_once(" added by ") else {
            return;
        };
        let Some((_, group)) = rest.split_once(" to group ") else {
            return;
        };
        (
            "added_to_group",
            Some(user.to_string()),
            Some(group.to_string()),
        )
    } else if let Some(i) = message.find("password changed for ") {
        let user = message[i + "password changed for ".len()..].trim();
        ("password_changed", Some(user.to_string()), None)
    } else {
        return;
    };
    set(fields, field::ACCOUNT_ACTION, action);
    if let Some(user) = user {
        set(fields, field::TARGET_USER, user);
    }
    if let Some(group) = group {
        set(fields, field::GROUP, group);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(program: &str, message: &str) -> Value {
        let mut map = Map::new();
        fields(program, message, &mut map);
        Value::Object(map)
    }

    #[test]
    fn sshd_attempts_name_the_user_the_source_and_the_outcome() {
        let v = parsed(
            "sshd",
            "Failed password for invalid user admin from 203.0.113.9 port 51022 ssh2",
        );
        assert_eq!(v["Outcome"], "failure");
        assert_eq!(v["TargetUser"], "admin");
        assert_eq!(v["InvalidUser"], true);
        assert_eq!(v["SourceIp"], "203.0.113.9");
        assert_eq!(v["SourcePort"], 51022);
        let v = parsed(
            "sshd",
            "Accepted publickey for alice from 2001:db8::7 port 40000 ssh2: ED25519 SHA256:abc",
        );
        assert_eq!(
            (
                &v["Outcome"],
                &v["AuthMethod"],
                &v["TargetUser"],
                &v["SourceIp"]
            ),
            (
                &"success".into(),
                &"publickey".into(),
                &"alice".into(),
                &"2001:db8::7".into()
            )
        );
        let v = parsed("sshd", "Invalid user oracle from 203.0.113.9 port 1");
        assert!(
            v.get("Outcome").is_none(),
            "not counted twice with its Failed line"
        );
        assert_eq!(v["TargetUser"], "oracle");
    }

    #[test]
    fn sudo_su_and_account_changes() {
        let v = parsed(
            "sudo",
            "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id -u",
        );
        assert_eq!(
            (
                &v["User"],
                &v["TargetUser"],
                &v["CommandLine"],
                &v["Outcome"]
            ),
            (
                &"alice".into(),
                &"root".into(),
                &"/usr/bin/id -u".into(),
                &"success".into()
            )
        );
        let v = parsed(
            "sudo",
            "mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh",
        );
        assert_eq!(
            (&v["Outcome"], &v["Reason"]),
            (&"failure".into(), &"user NOT in sudoers".into())
        );
        let v = parsed("su", "FAILED SU (to root) alice on pts/0");
        assert_eq!(
            (&v["Outcome"], &v["User"]),
            (&"failure".into(), &"alice".into())
        );
        let v = parsed(
            "useradd",
            "new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0",
        );
        assert_eq!(
            (&v["AccountAction"], &v["TargetUser"]),
            (&"user_created".into(), &"bob".into())
        );
        let v = parsed("usermod", "add 'bob' to shadow group 'sudo'");
        assert_eq!(
            (&v["TargetUser"], &v["Group"]),
            (&"bob".into(), &"sudo".into())
        );
        let v = parsed("gpasswd", "user bob added by root to group wheel");
        assert_eq!(
            (&v["AccountAction"], &v["Group"]),
            (&"added_to_group".into(), &"wheel".into())
        );
        assert_eq!(service_of("CRON"), Some("cron"));
        assert_eq!(service_of("/usr/sbin/sshd"), Some("sshd"));
        assert_eq!(service_of("nginx"), None);
    }
}

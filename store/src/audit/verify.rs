//! Verifying a chain against its anchor: the first row altered, deleted, inserted,
//! forged or cut from the end is named, in English and French.

use clickhouse::Row;
use serde::Deserialize;
use vigie_model::i18n::{self, Msg};

use super::anchor::{row_message, signature_valid, tip_message, Anchors, Tip};
use super::{AuditRow, CHECKPOINT, CHECKPOINT_CHAIN, GENESIS, SIGNING_STARTED};
use crate::{Client, StoreError};

/// What a walk of a chain found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every row is in place.
    Intact {
        /// Rows checked.
        rows: u64,
        /// First sequence number (above 1 when retention dropped older rows).
        first_seq: u64,
        /// The last row the anchor folder vouches for (0: none yet).
        witnessed: u64,
    },
    /// The first problem found.
    Broken {
        /// The row concerned (0 for the chain as a whole).
        seq: u64,
        /// What is wrong, in English.
        reason: String,
        /// The same in French.
        reason_fr: String,
    },
}

/// The chains to verify: those in `audit_log` and those with an anchor (a chain
/// whose every row was deleted is still one to report).
pub async fn chains(client: &Client, anchors: &Anchors) -> Result<Vec<String>, StoreError> {
    #[derive(Row, Deserialize)]
    struct Name {
        chain: String,
    }
    let names: Vec<Name> = client
        .query("SELECT DISTINCT chain FROM audit_log ORDER BY chain")
        .fetch_all()
        .await?;
    let mut all: Vec<String> = names.into_iter().map(|n| n.chain).collect();
    all.extend(anchors.chains().map(str::to_string));
    all.sort();
    all.dedup();
    Ok(all)
}

/// Walks chain `chain` and names the first row altered, deleted, inserted or forged.
pub async fn verify(
    client: &Client,
    chain: &str,
    anchors: &Anchors,
) -> Result<Verdict, StoreError> {
    let Some(key) = anchors.key(chain) else {
        return Ok(broken(
            0,
            Msg::AuditUnknownChain,
            &[("chain", &chain), ("dir", &anchors.dir().display())],
        ));
    };
    let rows: Vec<AuditRow> = client
        .query("SELECT ?fields FROM audit_log WHERE chain = ? ORDER BY seq, ts")
        .bind(chain)
        .fetch_all()
        .await?;
    // Checkpoints count only from the collector's chain, and only signed by its key.
    let checkpoints: Vec<AuditRow> = client
        .query("SELECT ?fields FROM audit_log WHERE chain = ? AND action = ? ORDER BY seq")
        .bind(CHECKPOINT_CHAIN)
        .bind(CHECKPOINT)
        .fetch_all()
        .await?;
    let trusted: Vec<AuditRow> = match anchors.key(CHECKPOINT_CHAIN) {
        Some(collector) => checkpoints
            .into_iter()
            .filter(|r| {
                r.hash == r.expected_hash()
                    && signature_valid(collector, &row_message(&r.hash), &r.signature)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(walk(&rows, &trusted, key, anchors.tip(chain)))
}

/// The details of a checkpoint saying chain `chain` was dropped through `seq`, its
/// next row linking to `next_prev_hash`.
pub fn checkpoint_details(chain: &str, seq: u64, next_prev_hash: &str) -> serde_json::Value {
    serde_json::json!({
        "chain": chain,
        "dropped_through_seq": seq,
        "next_prev_hash": next_prev_hash,
    })
}

fn broken(seq: u64, msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> Verdict {
    let (reason, reason_fr) = i18n::both(msg, values);
    Verdict::Broken {
        seq,
        reason,
        reason_fr,
    }
}

/// The sequence number through which a trusted checkpoint says `chain` was dropped,
/// the next row linking to `prev_hash` (any when `None`).
fn dropped_through(checkpoints: &[AuditRow], chain: &str, prev_hash: Option<&str>) -> Option<u64> {
    checkpoints
        .iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.details).ok())
        .filter(|d| d["chain"].as_str() == Some(chain))
        .filter(|d| prev_hash.is_none_or(|p| d["next_prev_hash"].as_str() == Some(p)))
        .filter_map(|d| d["dropped_through_seq"].as_u64())
        .max()
}

/// Checks rows of one chain, sorted by sequence number, against its pinned public
/// key and its tip; `checkpoints` are the trusted retention checkpoints (those naming
/// this chain may anchor its first row).
pub fn walk(rows: &[AuditRow], checkpoints: &[AuditRow], key: &[u8], tip: Option<&Tip>) -> Verdict {
    if let Some(tip) = tip {
        if !signature_valid(
            key,
            &tip_message(&tip.chain, tip.seq, &tip.hash),
            &tip.signature,
        ) {
            return broken(tip.seq, Msg::AuditTipForged, &[("seq", &tip.seq)]);
        }
    }
    let Some(first) = rows.first() else {
        // Nothing stored: fine for a chain never written or wholly dropped by retention.
        if let Some(tip) = tip.filter(|t| t.seq > 0) {
            let dropped = dropped_through(checkpoints, &tip.chain, None).unwrap_or(0);
            if dropped < tip.seq {
                return broken(
                    dropped + 1,
                    Msg::AuditTailMissing,
                    &[("from", &(dropped + 1)), ("to", &tip.seq)],
                );
            }
        }
        return Verdict::Intact {
            rows: 0,
            first_seq: 0,
            witnessed: tip.map_or(0, |t| t.seq),
        };
    };
    // Where the chain may start: its beginning, or where a checkpoint says older rows
    // were dropped.
    if first.seq != 1 || first.prev_hash != GENESIS {
        let anchored = dropped_through(checkpoints, &first.chain, Some(&first.prev_hash))
            == Some(first.seq - 1);
        if !anchored {
            return broken(
                first.seq.saturating_sub(1).max(1),
                Msg::AuditRowsMissingBefore,
                &[("seq", &first.seq)],
            );
        }
    }
    let mut previous: Option<&AuditRow> = None;
    let mut signed_seen = false;
    for row in rows {
        if row.hash != row.expected_hash() {
            return broken(row.seq, Msg::AuditRowAltered, &[("seq", &row.seq)]);
        }
        if let Some(prev) = previous {
            if row.seq == prev.seq {
                return broken(row.seq, Msg::AuditSeqTwice, &[("seq", &row.seq)]);
            }
            if row.seq > prev.seq + 1 {
                return broken(
                    prev.seq + 1,
                    Msg::AuditRowsMissing,
                    &[("from", &(prev.seq + 1)), ("to", &(row.seq - 1))],
                );
            }
            if row.prev_hash != prev.hash {
                return broken(
                    row.seq,
                    Msg::AuditRowNotFollowing,
                    &[("seq", &row.seq), ("prev", &prev.seq)],
                );
            }
        }
        if row.signature.is_empty() {
            // Rows from before signing are kept only ahead of the signed row that
            // vouches for them.
            if signed_seen {
                return broken(row.seq, Msg::AuditUnsigned, &[("seq", &row.seq)]);
            }
        } else {
            if !signature_valid(key, &row_message(&row.hash), &row.signature) {
                return broken(row.seq, Msg::AuditBadSignature, &[("seq", &row.seq)]);
            }
            if !signed_seen && previous.is_some() && row.action != SIGNING_STARTED {
                return broken(row.seq - 1, Msg::AuditUnsigned, &[("seq", &(row.seq - 1))]);
            }
            signed_seen = true;
        }
        previous = Some(row);
    }
    let last = previous.expect("at least one row");
    if !signed_seen {
        return broken(last.seq, Msg::AuditUnsigned, &[("seq", &last.seq)]);
    }
    if let Some(tip) = tip {
        if last.seq < tip.seq {
            return broken(
                last.seq + 1,
                Msg::AuditTailMissing,
                &[("from", &(last.seq + 1)), ("to", &tip.seq)],
            );
        }
        if tip.seq >= first.seq {
            let at = rows
                .iter()
                .find(|r| r.seq == tip.seq)
                .expect("within the rows");
            if at.hash != tip.hash {
                return broken(tip.seq, Msg::AuditTipDiffers, &[("seq", &tip.seq)]);
            }
        }
    }
    Verdict::Intact {
        rows: rows.len() as u64,
        first_seq: first.seq,
        witnessed: tip.map_or(0, |t| t.seq),
    }
}

#[cfg(test)]
mod tests {
    use super::super::anchor::{AuditDir, Signer};
    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        dashboard: Signer,
        collector: Signer,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditDir::new(dir.path());
        Fixture {
            dashboard: audit.signer("dashboard").unwrap(),
            collector: audit.signer("collector").unwrap(),
            _dir: dir,
        }
    }

    fn seal(row: &mut AuditRow, signer: Option<&Signer>) {
        row.hash = row.expected_hash();
        row.signature = signer.map_or(String::new(), |s| s.sign_row(&row.hash));
    }

    fn chain(n: u64, signer: Option<&Signer>) -> Vec<AuditRow> {
        let mut rows: Vec<AuditRow> = Vec::new();
        for seq in 1..=n {
            let mut row = AuditRow {
                date: 0,
                chain: "dashboard".into(),
                seq,
                ts: 1000 + seq,
                actor: "ana".into(),
                action: "triage".into(),
                target: format!("alert{seq}"),
                details: "{}".into(),
                prev_hash: rows.last().map_or(GENESIS.to_string(), |r| r.hash.clone()),
                hash: String::new(),
                signature: String::new(),
            };
            seal(&mut row, signer);
            rows.push(row);
        }
        rows
    }

    fn tip_of(signer: &Signer, row: &AuditRow) -> Tip {
        signer.witness(row.seq, &row.hash).unwrap();
        signer.tip().unwrap().unwrap()
    }

    fn broken_at(v: Verdict) -> (u64, String) {
        match v {
            Verdict::Broken { seq, reason, .. } => (seq, reason),
            other => panic!("intact: {other:?}"),
        }
    }

    #[test]
    fn an_intact_signed_chain_verifies_up_to_its_tip() {
        let f = fixture();
        let rows = chain(5, Some(&f.dashboard));
        let key = f.dashboard.public_key();
        let tip = tip_of(&f.dashboard, &rows[4]);
        assert_eq!(
            walk(&rows, &[], key, Some(&tip)),
            Verdict::Intact {
                rows: 5,
                first_seq: 1,
                witnessed: 5
            }
        );
        // A row past the tip (written just before a crash) is fine when signed.
        let tip = tip_of(&f.dashboard, &rows[3]);
        assert!(matches!(
            walk(&rows, &[], key, Some(&tip)),
            Verdict::Intact { .. }
        ));
    }

    #[test]
    fn the_first_altered_deleted_inserted_or_forged_row_is_named() {
        let f = fixture();
        let signer = Some(&f.dashboard);
        let key = f.dashboard.public_key();
        let mut altered = chain(5, signer);
        altered[2].target = "alert99".into();
        assert_eq!(broken_at(walk(&altered, &[], key, None)).0, 3);

        let mut deleted = chain(5, signer);
        deleted.remove(3);
        assert_eq!(broken_at(walk(&deleted, &[], key, None)).0, 4);

        // Rewritten in the middle, every later hash recomputed, the newest rows dropped:
        // the hashes agree, the signature does not.
        let mut rewritten = chain(5, signer);
        let tip = tip_of(&f.dashboard, &rewritten[4]);
        rewritten[1].actor = "mallory".into();
        for i in 1..5 {
            rewritten[i].prev_hash = rewritten[i - 1].hash.clone();
            let signature = rewritten[i].signature.clone();
            seal(&mut rewritten[i], None);
            rewritten[i].signature = signature;
        }
        rewritten.truncate(4);
        let (seq, reason) = broken_at(walk(&rewritten, &[], key, Some(&tip)));
        assert_eq!(seq, 2, "{reason}");
        assert!(reason.contains("not signed by its writer"), "{reason}");

        // Cut from the end, everything left intact: the tip outside reaches further.
        let whole = chain(5, signer);
        let tip = tip_of(&f.dashboard, &whole[4]);
        let (seq, reason) = broken_at(walk(&whole[..3], &[], key, Some(&tip)));
        assert_eq!(seq, 4, "{reason}");
        assert!(reason.contains("cut short"), "{reason}");
        let (seq, _) = broken_at(walk(&[], &[], key, Some(&tip)));
        assert_eq!(seq, 1, "every row deleted");

        // Deleted head.
        let (seq, reason) = broken_at(walk(&whole[2..], &[], key, None));
        assert_eq!(seq, 2, "{reason}");

        // Signed by another key (a forger's own), or not signed at all.
        let other = chain(5, Some(&f.collector));
        assert_eq!(broken_at(walk(&other, &[], key, None)).0, 1);
        let unsigned = chain(5, None);
        assert!(broken_at(walk(&unsigned, &[], key, None))
            .1
            .contains("no signature"));
    }

    #[test]
    fn only_signed_checkpoints_of_the_collector_anchor_what_retention_kept() {
        let f = fixture();
        let rows = chain(5, Some(&f.dashboard));
        let key = f.dashboard.public_key();
        let checkpoint = |signer: &Signer| {
            let mut row = AuditRow {
                date: 0,
                chain: "collector".into(),
                seq: 9,
                ts: 2000,
                actor: "collector".into(),
                action: CHECKPOINT.into(),
                target: "audit_log".into(),
                details: checkpoint_details("dashboard", 2, &rows[2].prev_hash).to_string(),
                prev_hash: "elsewhere".into(),
                hash: String::new(),
                signature: String::new(),
            };
            seal(&mut row, Some(signer));
            row
        };
        let kept = &rows[2..];
        assert_eq!(
            walk(kept, &[checkpoint(&f.collector)], key, None),
            Verdict::Intact {
                rows: 3,
                first_seq: 3,
                witnessed: 0
            }
        );
        // `verify` keeps only checkpoints the collector's key signed; here one that is
        // not (the forger's) reaches `walk` only through that filter, so check it.
        let forged = checkpoint(&f.dashboard);
        assert!(!signature_valid(
            f.collector.public_key(),
            &row_message(&forged.hash),
            &forged.signature
        ));
        assert_eq!(broken_at(walk(kept, &[], key, None)).0, 2);
    }

    #[test]
    fn unsigned_rows_from_before_signing_are_vouched_for_by_the_signed_row_after() {
        let f = fixture();
        let key = f.dashboard.public_key();
        let mut rows = chain(3, None);
        let mut marker = AuditRow {
            seq: 4,
            action: SIGNING_STARTED.into(),
            prev_hash: rows[2].hash.clone(),
            ..rows[2].clone()
        };
        seal(&mut marker, Some(&f.dashboard));
        rows.push(marker);
        assert!(matches!(
            walk(&rows, &[], key, None),
            Verdict::Intact { .. }
        ));
        // Any other signed row after unsigned ones means the unsigned ones are forged.
        rows[3].action = "triage".into();
        seal(&mut rows[3], Some(&f.dashboard));
        assert_eq!(broken_at(walk(&rows, &[], key, None)).0, 3);
    }
}

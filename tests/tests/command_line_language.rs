//! The command line speaks the language of its environment (`VIGIE_LANG`, then `LC_ALL`,
//! `LANG`), as the README says; its messages come from the one catalogue (issue #11:
//! `VIGIE_LANG` was documented and read by nothing).

use std::process::{Command, Output};

use vigie_tests::bin;

fn run(program: &str, args: &[&str], lang: &str) -> Output {
    Command::new(bin(program))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LANG")
        .env("VIGIE_LANG", lang)
        .output()
        .expect("the binary runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn agent_enrollment_refusal_in_french_and_english() {
    let fr = run("vigie-agent", &["enroll"], "fr");
    assert_eq!(fr.status.code(), Some(2), "{}", said(&fr));
    assert!(said(&fr).contains("sont requis"), "{}", said(&fr));
    let en = run("vigie-agent", &["enroll"], "en");
    assert_eq!(en.status.code(), Some(2));
    assert!(said(&en).contains("are needed"), "{}", said(&en));
}

#[test]
fn report_verification_in_french_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4").unwrap();
    std::fs::write(dir.path().join("report.pdf.sig"), b"not json").unwrap();
    let args = ["report", "verify", file.to_str().unwrap()];
    let fr = run("vigie", &args, "fr");
    assert!(said(&fr).contains("invalide"), "{}", said(&fr));
    assert!(!said(&fr).contains("invalid:"), "{}", said(&fr));
    let en = run("vigie", &args, "en");
    assert!(
        said(&en).contains("is not a signature file"),
        "{}",
        said(&en)
    );
}

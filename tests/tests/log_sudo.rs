//! A real sudo (Debian's), writing its own log file as CIS benchmarks ask
//! (`Defaults logfile=`, scoped by the test to two accounts of its own): a user sudoers
//! names directly, in no administrators' group, runs a command as root, and an
//! administrator (in group `sudo`) does the same. The agent reads sudo's entries — long
//! ones wrapped over two lines by sudo are one event — with each user's groups, and the
//! collector raises "sudo used by someone outside the administrators' groups" for the
//! first only. Needs root and sudo, as CI has.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use vigie_tests::peer::run_quiet as run;
use vigie_tests::{wait_for, Stack};

const OUTSIDER: &str = "vigie-sudo-test";
const ADMIN: &str = "vigie-sudo-admin";
const OUTSIDE_ADMINS: &str = "01ab7be9-d8f2-481f-a8c3-a8f5afc8342b";

/// A sudoers drop-in, removed on drop.
struct Sudoers(PathBuf);

impl Sudoers {
    fn write(text: &str) -> Sudoers {
        let path = PathBuf::from(format!("/etc/sudoers.d/vigie-test-{}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        assert!(run("chmod", &["0440", path.to_str().unwrap()]));
        let sudoers = Sudoers(path);
        assert!(
            run("visudo", &["-cf", sudoers.0.to_str().unwrap()]),
            "the test's sudoers lines are valid"
        );
        sudoers
    }
}

impl Drop for Sudoers {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `sudo -n /usr/bin/id ARGS` as `user` from `dir`.
fn sudo_as(user: &str, dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("runuser")
        .args(["-u", user, "--", "sudo", "-n", "/usr/bin/id"])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "sudo as {user}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sudo_by_a_user_outside_the_admin_groups_alerts_and_by_an_admin_does_not() {
    if !run("id", &[OUTSIDER]) {
        assert!(run("useradd", &["--no-create-home", OUTSIDER]));
    }
    if !run("id", &[ADMIN]) {
        assert!(run(
            "useradd",
            &["--no-create-home", "--groups", "sudo", ADMIN]
        ));
    }
    let stack = Stack::start("").await;
    let dir = stack.path("sudo");
    std::fs::create_dir_all(&dir).unwrap();
    // The test's folder is private to root: the users run from one they can enter.
    let work = PathBuf::from(format!(
        "/tmp/vigie-sudo-work-with-a-long-name-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&work).unwrap();
    let log = dir.join("sudo.log");
    let _sudoers = Sudoers::write(&format!(
        "Defaults:{OUTSIDER},{ADMIN} logfile={}\n{OUTSIDER} ALL=(root) NOPASSWD: /usr/bin/id\n{ADMIN} ALL=(root) NOPASSWD: /usr/bin/id\n",
        log.display()
    ));
    let _agent = stack
        .start_log_agent(&format!(
            "poll_ms = 50\n\n[[logs.files]]\npath = \"{}\"\nservice = \"sudo\"\n",
            log.display()
        ))
        .await;

    // Long enough for sudo to wrap the entry over two lines.
    sudo_as(OUTSIDER, &work, &["--user", "--name", "--real", "root"]);
    sudo_as(ADMIN, &work, &["-u"]);

    let alert = format!(
        "SELECT count() FROM alerts WHERE rule_id = '{OUTSIDE_ADMINS}' AND events LIKE '%{OUTSIDER}%'"
    );
    wait_for("the sudo alert", Duration::from_secs(60), || async {
        (stack.count(&alert).await == 1).then_some(())
    })
    .await;
    let entries = |user: &str, admin: bool| {
        format!(
            "SELECT count() FROM events WHERE category = 'log' \
             AND visitParamExtractString(fields, 'User') = '{user}' \
             AND visitParamExtractString(fields, 'TargetUser') = 'root' \
             AND visitParamExtractString(fields, 'CommandLine') LIKE '/usr/bin/id%' \
             AND visitParamExtractBool(fields, 'AdminGroupMember') = {}",
            u8::from(admin)
        )
    };
    wait_for(
        "the administrator's entry",
        Duration::from_secs(30),
        || async { (stack.count(&entries(ADMIN, true)).await == 1).then_some(()) },
    )
    .await;
    assert_eq!(
        stack.count(&entries(OUTSIDER, false)).await,
        1,
        "one event for the wrapped entry"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("    ")),
        "sudo wrapped an entry, as this test needs: {text}"
    );
    let all = format!("SELECT count() FROM alerts WHERE rule_id = '{OUTSIDE_ADMINS}'");
    assert_eq!(
        stack.count(&all).await,
        1,
        "the administrator raises nothing"
    );
    let _ = std::fs::remove_dir_all(&work);
}

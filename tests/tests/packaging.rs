//! Packages: `packaging/build.sh` builds the agent and server Debian packages and the
//! offline bundle; the agent package unpacks into a scratch root with the right files
//! and permissions; every unit passes `systemd-analyze verify`; the default
//! configuration files are accepted by the daemons' own readers. Then the lines
//! `docs/deployment.md` shows for a monitored server run as written on this machine:
//! the package installed with `dpkg -i`, the agent enrolled with `sudo -u vigie-agent`
//! against a real collector; and every place that shows the enrollment shows that line.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("command runs");
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[tokio::test(flavor = "multi_thread")]
async fn packages_build_unpack_verify_and_install_as_documented() {
    let bin_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("debug");
    let sizes = run(Command::new(root().join("packaging/build.sh")).env("BIN_DIR", &bin_dir));
    assert!(
        sizes.contains("vigie-agent_") && sizes.contains("MiB"),
        "{sizes}"
    );
    let packages = root().join("target/packages");
    let find = |prefix: &str| -> PathBuf {
        std::fs::read_dir(&packages)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} package"))
    };
    let scratch = tempfile::tempdir().unwrap();

    // The agent package.
    let agent_deb = find("vigie-agent_");
    assert_eq!(
        run(Command::new("dpkg-deb")
            .args(["-f"])
            .arg(&agent_deb)
            .arg("Package"))
        .trim(),
        "vigie-agent"
    );
    let agent_root = scratch.path().join("agent");
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&agent_deb)
        .arg(&agent_root));
    assert_eq!(mode(&agent_root.join("usr/bin/vigie-agent")), 0o755);
    assert_eq!(mode(&agent_root.join("etc/vigie/agent.toml")), 0o640);
    assert_eq!(
        mode(&agent_root.join("lib/systemd/system/vigie-agent.service")),
        0o644
    );
    let version = run(Command::new(agent_root.join("usr/bin/vigie-agent")).arg("--version"));
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    let control = run(Command::new("dpkg-deb")
        .arg("-e")
        .arg(&agent_deb)
        .arg(scratch.path().join("agent-control")));
    assert!(control.is_empty());
    let conffiles =
        std::fs::read_to_string(scratch.path().join("agent-control/conffiles")).unwrap();
    assert_eq!(conffiles.trim(), "/etc/vigie/agent.toml");
    assert_eq!(mode(&scratch.path().join("agent-control/postinst")), 0o755);

    // The server package.
    let server_root = scratch.path().join("server");
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(find("vigie-server_"))
        .arg(&server_root));
    for b in ["vigie-collector", "vigie-dashboard", "vigie"] {
        assert_eq!(mode(&server_root.join("usr/bin").join(b)), 0o755, "{b}");
    }
    assert_eq!(mode(&server_root.join("etc/vigie/rules.d")), 0o750);

    // The offline bundle.
    let listing = run(Command::new("tar").arg("-tzf").arg(find("vigie-0")));
    for file in [
        "install.sh",
        "bin/vigie-agent",
        "bin/vigie-collector",
        "systemd/vigie-agent.service",
        "etc/collector.toml",
        "rules-pack/",
    ] {
        assert!(
            listing.lines().any(|l| l.ends_with(file)),
            "{file} missing from the bundle"
        );
    }

    // Every unit passes systemd-analyze verify (ExecStart pointed at the unpacked binary).
    let units = scratch.path().join("units");
    std::fs::create_dir_all(&units).unwrap();
    for (unit, from) in [
        ("vigie-agent.service", &agent_root),
        ("vigie-collector.service", &server_root),
        ("vigie-dashboard.service", &server_root),
    ] {
        let text = std::fs::read_to_string(from.join("lib/systemd/system").join(unit)).unwrap();
        let text = text.replace("/usr/bin/", &format!("{}/usr/bin/", from.display()));
        assert!(
            text.contains("NoNewPrivileges=yes") && text.contains("ProtectSystem=strict"),
            "{unit}"
        );
        std::fs::write(units.join(unit), text).unwrap();
    }
    let agent_unit = std::fs::read_to_string(units.join("vigie-agent.service")).unwrap();
    assert!(
        agent_unit.contains("User=vigie-agent")
            && agent_unit.contains(
                "AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_BPF CAP_PERFMON CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_PTRACE"
            )
    );
    let mut verify = Command::new("systemd-analyze");
    verify.arg("verify");
    for unit in [
        "vigie-agent.service",
        "vigie-collector.service",
        "vigie-dashboard.service",
    ] {
        verify.arg(units.join(unit));
    }
    run(&mut verify);

    // The default configurations are what the daemons accept.
    let read =
        |name: &str| std::fs::read_to_string(root().join("packaging/etc").join(name)).unwrap();
    vigie_agent::config::AgentConfig::from_toml(&read("agent.toml")).expect("agent.toml");
    vigie_collector::config::CollectorConfig::from_toml(&read("collector.toml"))
        .expect("collector.toml");
    vigie_dashboard::config::DashboardConfig::from_toml(&read("dashboard.toml"))
        .expect("dashboard.toml");

    install_as_documented(&agent_deb).await;
}

/// The enrollment line, as every document, configuration comment, package message and
/// the dashboard show it (`TOKEN`, or `JETON` in French).
const ENROLL_LINE: &str =
    "sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token TOKEN";

/// The lines of the first `sh` block after `lead` in `doc`.
fn sh_block_after(doc: &str, lead: &str) -> Vec<String> {
    let after = &doc[doc.find(lead).unwrap_or_else(|| panic!("no {lead:?}"))..];
    let start = after.find("```sh\n").expect("a sh block") + 6;
    let end = after[start..].find("```").expect("its end") + start;
    after[start..end].lines().map(str::to_string).collect()
}

#[test]
fn every_place_that_shows_the_enrollment_shows_the_tested_line() {
    let mut places = vec![
        root().join("README.md"),
        root().join("README.fr.md"),
        root().join("packaging/build.sh"),
        root().join("packaging/install.sh"),
        root().join("packaging/etc/agent.toml"),
        root().join("packaging/systemd/vigie-agent.service"),
    ];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        places.push(entry.unwrap().path());
    }
    let mut seen = 0;
    for place in places {
        let text = std::fs::read_to_string(&place).unwrap();
        for line in text.lines().filter(|l| l.contains("vigie-agent enroll")) {
            seen += 1;
            let as_tested = line.replace("JETON", "TOKEN");
            assert!(
                as_tested.contains(ENROLL_LINE),
                "{}: {line:?} is not the tested line {ENROLL_LINE:?}",
                place.display()
            );
        }
    }
    assert!(seen >= 6, "{seen} places");
    let dashboard =
        std::fs::read_to_string(root().join("dashboard/src/views/enrollment.rs")).unwrap();
    assert!(dashboard.contains(&ENROLL_LINE.replace("TOKEN", "{secret}")));
}

/// Removes what the documented install put on this machine, even when the test fails.
struct Uninstall;

impl Drop for Uninstall {
    fn drop(&mut self) {
        let _ = Command::new("dpkg")
            .args(["--purge", "vigie-agent"])
            .output();
        let _ = std::fs::remove_dir_all("/var/lib/vigie/agent");
        let _ = std::fs::remove_file("/etc/vigie/ca.pem");
    }
}

/// Runs the lines `docs/deployment.md` gives for each monitored server, as written (the
/// placeholders filled in, the editor's change made by the test), against a real
/// collector: the package is installed on this machine, the agent enrolled as its
/// service user, and its identity is the service user's alone.
async fn install_as_documented(agent_deb: &Path) {
    if run(Command::new("id").arg("-u")).trim() != "0" {
        println!("skipped: installing a package needs root");
        return;
    }
    let doc = std::fs::read_to_string(root().join("docs/deployment.md")).unwrap();
    let lines = sh_block_after(&doc, "On the server:");
    assert_eq!(lines.len(), 4, "{lines:?}");
    let stack = vigie_tests::Stack::start("").await;
    let _uninstall = Uninstall;
    let shell = |line: &str, dir: &Path| {
        println!("$ {line}");
        run(Command::new("sh").arg("-c").arg(line).current_dir(dir))
    };

    // dpkg -i vigie-agent_VERSION_amd64.deb
    let deb_name = agent_deb.file_name().unwrap().to_str().unwrap();
    assert!(lines[0].starts_with("dpkg -i vigie-agent_VERSION_amd64.deb"));
    let said = shell(
        &lines[0].replace("vigie-agent_VERSION_amd64.deb", deb_name),
        agent_deb.parent().unwrap(),
    );
    assert!(
        said.contains(ENROLL_LINE),
        "the package says how to enroll: {said}"
    );

    // editor /etc/vigie/agent.toml: the collector's address; its CA copied as §3 says.
    assert!(lines[1].starts_with("editor /etc/vigie/agent.toml"));
    let config = std::fs::read_to_string("/etc/vigie/agent.toml").unwrap();
    let config = config.replace(
        "url = \"https://soc.example:8443\"",
        &format!("url = \"{}\"", stack.collector_url()),
    );
    std::fs::write("/etc/vigie/agent.toml", config).unwrap();
    std::fs::copy(&stack.ca, "/etc/vigie/ca.pem").unwrap();
    std::fs::set_permissions("/etc/vigie/ca.pem", std::fs::Permissions::from_mode(0o644)).unwrap();

    // sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token TOKEN
    assert_eq!(lines[2], ENROLL_LINE);
    let token = stack.token().await;
    shell(&lines[2].replace("TOKEN", &token), Path::new("/"));
    let identity = Path::new("/var/lib/vigie/agent/identity.json");
    assert_eq!(mode(identity), 0o600);
    let owner = run(Command::new("stat").args(["-c", "%U"]).arg(identity));
    assert_eq!(
        owner.trim(),
        "vigie-agent",
        "the service's user can read it"
    );
    assert_eq!(stack.count("SELECT count() FROM agents").await, 1);

    // systemctl enable --now vigie-agent: only where systemd runs this machine.
    assert_eq!(lines[3], "systemctl enable --now vigie-agent");
    if Path::new("/run/systemd/system").is_dir() {
        shell(&lines[3], Path::new("/"));
        vigie_tests::wait_for(
            "the agent's first batch",
            std::time::Duration::from_secs(60),
            || async { (stack.count("SELECT count() FROM batches").await > 0).then_some(()) },
        )
        .await;
        let _ = Command::new("systemctl")
            .args(["disable", "--now", "vigie-agent"])
            .output();
    } else {
        println!(
            "skipped: `{}` (systemd does not run this machine)",
            lines[3]
        );
    }
}

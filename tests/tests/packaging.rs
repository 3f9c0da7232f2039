//! Packages: `packaging/build.sh` builds the agent and server Debian packages and the
//! offline bundle; the agent package unpacks into a scratch root with the right files
//! and permissions; every unit passes `systemd-analyze verify`; the default
//! configuration files are accepted by the daemons' own readers.

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

#[test]
fn packages_build_unpack_and_their_units_verify() {
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
                "AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_PTRACE"
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
}

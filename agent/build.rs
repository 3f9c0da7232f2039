//! Compiles the agent's eBPF programs (`bpf/*.bpf.c`) with clang into objects the agent
//! embeds. clang and the libbpf headers come from Debian packages (`clang`,
//! `libbpf-dev`), which `scripts/build-deps.sh` installs.
//!
//! Compile les programmes eBPF de l'agent avec clang (paquets `clang`, `libbpf-dev`,
//! installés par `scripts/build-deps.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").expect("target arch");
    let (bpf_arch, multiarch) = match arch.as_str() {
        "x86_64" => ("x86", "x86_64-linux-gnu"),
        "aarch64" => ("arm64", "aarch64-linux-gnu"),
        other => panic!("eBPF programs: unsupported architecture {other}"),
    };
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".to_string());
    println!("cargo:rerun-if-env-changed=CLANG");
    println!("cargo:rerun-if-changed=bpf");
    for program in ["exec", "files", "net", "reads"] {
        compile(&clang, program, &out, bpf_arch, multiarch);
    }
}

/// Compiles `bpf/<program>.bpf.c` into `<out>/<program>.bpf.o`.
fn compile(clang: &str, program: &str, out: &Path, bpf_arch: &str, multiarch: &str) {
    let source = format!("bpf/{program}.bpf.c");
    let object = out.join(format!("{program}.bpf.o"));
    let status = Command::new(clang)
        .args(["-g", "-O2", "-target", "bpf", "-Wall", "-Werror"])
        .arg(format!("-D__TARGET_ARCH_{bpf_arch}"))
        .arg(format!("-I/usr/include/{multiarch}"))
        .args(["-c", &source, "-o"])
        .arg(&object)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("clang failed on {source} ({s})"),
        Err(e) => panic!(
            "cannot run {clang} to build {source}: {e}\n\
                 Install the build dependencies: scripts/build-deps.sh \
                 (clang, libbpf-dev, libelf-dev, zlib1g-dev, pkg-config).\n\
                 Installez les dépendances de compilation\u{a0}: scripts/build-deps.sh"
        ),
    }
}

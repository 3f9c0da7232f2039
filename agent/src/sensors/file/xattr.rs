//! A file's extended attributes, as the file sensor tracks them: one SHA-256 over all of
//! them (ACLs, SELinux labels, user attributes), and its file capabilities decoded the
//! way `getcap` prints them, since `setcap cap_setuid=ep` on a copy of a shell is a
//! privilege-escalation backdoor that changes neither content nor mode.
//!
//! The capability names and the `security.capability` layout are the kernel's
//! (`linux/capability.h`), written here by hand: libcap is not a Rust crate.

use std::path::Path;

/// What the sensor keeps of a file's extended attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Xattrs {
    /// File capabilities, `getcap` style (`cap_net_raw=ep`); empty when none.
    pub caps: String,
    /// SHA-256 over every attribute's name and value; empty when there are none.
    pub digest: String,
}

const CAPABILITY: &str = "security.capability";

/// Reads the extended attributes of `path` (a link itself, not its target). A file
/// system without them, or an unreadable file, has none.
pub(super) fn read(path: &Path) -> Xattrs {
    let mut names = vec![0u8; 4096];
    let len = match rustix::fs::llistxattr(path, &mut names[..]) {
        Ok(n) => n,
        Err(rustix::io::Errno::RANGE) => {
            let Ok(size) = rustix::fs::llistxattr_query(path) else {
                return Xattrs::default();
            };
            names.resize(size, 0);
            match rustix::fs::llistxattr(path, &mut names[..]) {
                Ok(n) => n,
                Err(_) => return Xattrs::default(),
            }
        }
        Err(_) => return Xattrs::default(),
    };
    let mut list: Vec<&[u8]> = names[..len]
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .collect();
    if list.is_empty() {
        return Xattrs::default();
    }
    list.sort_unstable();
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut caps = String::new();
    for name in list {
        let value = value_of(path, name).unwrap_or_default();
        context.update(&(name.len() as u32).to_le_bytes());
        context.update(name);
        context.update(&(value.len() as u32).to_le_bytes());
        context.update(&value);
        if name == CAPABILITY.as_bytes() {
            caps = decode_capabilities(&value);
        }
    }
    Xattrs {
        caps,
        digest: vigie_model::hex::encode(context.finish().as_ref()),
    }
}

fn value_of(path: &Path, name: &[u8]) -> Option<Vec<u8>> {
    let name = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(name);
    let size = rustix::fs::lgetxattr_query(path, name).ok()?;
    let mut value = vec![0u8; size];
    let n = rustix::fs::lgetxattr(path, name, &mut value[..]).ok()?;
    value.truncate(n);
    Some(value)
}

/// Capability names by bit, as `linux/capability.h` numbers them.
const NAMES: [&str; 41] = [
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

fn names_of(mask: u64) -> String {
    (0..64)
        .filter(|bit| mask & (1u64 << bit) != 0)
        .map(|bit| {
            NAMES
                .get(bit)
                .map_or_else(|| format!("cap_{bit}"), |n| n.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `security.capability` (`struct vfs_ns_cap_data`: a revision and effective flag, then
/// permitted and inheritable masks in 32-bit halves) as `getcap` prints it.
fn decode_capabilities(value: &[u8]) -> String {
    let word = |i: usize| -> Option<u64> {
        value
            .get(i * 4..i * 4 + 4)
            .map(|b| u64::from(u32::from_le_bytes(b.try_into().expect("4 bytes"))))
    };
    let Some(magic) = word(0) else {
        return "unreadable".to_string();
    };
    let effective = magic & 1 != 0;
    let (permitted, inheritable) = match magic & 0xFF00_0000 {
        0x0100_0000 => (word(1).unwrap_or(0), word(2).unwrap_or(0)),
        0x0200_0000 | 0x0300_0000 => (
            word(1).unwrap_or(0) | word(3).unwrap_or(0) << 32,
            word(2).unwrap_or(0) | word(4).unwrap_or(0) << 32,
        ),
        _ => return format!("unknown revision {magic:#x}"),
    };
    let mut parts = Vec::new();
    if permitted != 0 {
        let flags = if effective { "ep" } else { "p" };
        parts.push(format!("{}={flags}", names_of(permitted)));
    }
    if inheritable != 0 {
        parts.push(format!("{}=i", names_of(inheritable)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision2(effective: bool, permitted: u64, inheritable: u64) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&(0x0200_0000u32 | u32::from(effective)).to_le_bytes());
        v.extend_from_slice(&(permitted as u32).to_le_bytes());
        v.extend_from_slice(&(inheritable as u32).to_le_bytes());
        v.extend_from_slice(&((permitted >> 32) as u32).to_le_bytes());
        v.extend_from_slice(&((inheritable >> 32) as u32).to_le_bytes());
        v
    }

    #[test]
    fn capabilities_read_as_getcap_prints_them() {
        assert_eq!(
            decode_capabilities(&revision2(true, 1 << 7, 0)),
            "cap_setuid=ep"
        );
        assert_eq!(
            decode_capabilities(&revision2(false, (1 << 12) | (1 << 13), 1 << 39)),
            "cap_net_admin,cap_net_raw=p cap_bpf=i"
        );
        assert_eq!(decode_capabilities(&[1, 2]), "unreadable");
    }

    #[test]
    fn a_plain_file_has_no_attributes_and_a_user_attribute_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "x").unwrap();
        let before = read(&path);
        if rustix::fs::lsetxattr(&path, "user.vigie", b"1", rustix::fs::XattrFlags::empty())
            .is_err()
        {
            return; // this file system keeps no user attributes
        }
        let after = read(&path);
        assert_ne!(before, after);
        assert!(after.caps.is_empty() && !after.digest.is_empty());
    }
}

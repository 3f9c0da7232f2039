//! Which groups a user belongs to, from `/etc/group` (members listed) and `/etc/passwd`
//! (the primary group), cached until either file changes. Local files only: members
//! from LDAP or another directory are not seen (say so where a rule relies on it).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::SystemTime;

/// A cache of the local group database.
pub struct Groups {
    group_file: PathBuf,
    passwd_file: PathBuf,
    loaded: (Option<SystemTime>, Option<SystemTime>),
    /// User name → its groups' names.
    of_user: HashMap<String, BTreeSet<String>>,
}

impl Default for Groups {
    fn default() -> Groups {
        Groups::from_files("/etc/group", "/etc/passwd")
    }
}

impl Groups {
    /// A cache over a group-format and a passwd-format file.
    pub fn from_files(group: impl Into<PathBuf>, passwd: impl Into<PathBuf>) -> Groups {
        Groups {
            group_file: group.into(),
            passwd_file: passwd.into(),
            loaded: (None, None),
            of_user: HashMap::new(),
        }
    }

    /// The groups of `user`, sorted (empty for a user the files do not know).
    pub fn of(&mut self, user: &str) -> Vec<String> {
        self.refresh();
        self.of_user
            .get(user)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn refresh(&mut self) {
        let mtime = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let now = (mtime(&self.group_file), mtime(&self.passwd_file));
        if now.0.is_some() && now == self.loaded {
            return;
        }
        self.loaded = now;
        let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        self.of_user = parse(&read(&self.group_file), &read(&self.passwd_file));
    }
}

fn parse(group: &str, passwd: &str) -> HashMap<String, BTreeSet<String>> {
    let mut names_by_gid = HashMap::new();
    let mut of_user: HashMap<String, BTreeSet<String>> = HashMap::new();
    for line in group.lines() {
        let parts: Vec<&str> = line.split(':').collect();
        if parts.len() < 4 {
            continue;
        }
        names_by_gid.insert(parts[2].to_string(), parts[0].to_string());
        for member in parts[3].split(',').filter(|m| !m.is_empty()) {
            of_user
                .entry(member.to_string())
                .or_default()
                .insert(parts[0].to_string());
        }
    }
    for line in passwd.lines() {
        let parts: Vec<&str> = line.split(':').collect();
        if let (Some(user), Some(gid)) = (parts.first(), parts.get(3)) {
            if let Some(group) = names_by_gid.get(*gid) {
                of_user
                    .entry(user.to_string())
                    .or_default()
                    .insert(group.clone());
            }
        }
    }
    of_user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_primary_groups_are_both_counted() {
        let dir = tempfile::tempdir().unwrap();
        let group = dir.path().join("group");
        let passwd = dir.path().join("passwd");
        std::fs::write(
            &group,
            "root:x:0:\nsudo:x:27:ana,moussa\nana:x:1000:\nbad\n",
        )
        .unwrap();
        std::fs::write(
            &passwd,
            "ana:x:1000:1000::/home/ana:/bin/bash\nmoussa:x:1001:27::/home/m:/bin/bash\n",
        )
        .unwrap();
        let mut groups = Groups::from_files(&group, &passwd);
        assert_eq!(groups.of("ana"), ["ana", "sudo"]);
        assert_eq!(groups.of("moussa"), ["sudo"]);
        assert!(groups.of("nobody").is_empty());
        // Edited: read again.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&group, "root:x:0:\nsudo:x:27:moussa\nana:x:1000:\n").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&group)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(groups.of("ana"), ["ana"]);
    }
}

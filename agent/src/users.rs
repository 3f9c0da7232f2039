//! User names from numeric ids, read from `/etc/passwd` and cached until it changes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// A cache of `/etc/passwd`.
pub struct UserNames {
    path: PathBuf,
    loaded_mtime: Option<SystemTime>,
    names: HashMap<u32, String>,
}

impl Default for UserNames {
    fn default() -> UserNames {
        UserNames::from_file("/etc/passwd")
    }
}

impl UserNames {
    /// A cache over the passwd-format file at `path`.
    pub fn from_file(path: impl Into<PathBuf>) -> UserNames {
        UserNames {
            path: path.into(),
            loaded_mtime: None,
            names: HashMap::new(),
        }
    }

    /// The name of `uid`, or the number as text when it has none.
    pub fn name(&mut self, uid: u32) -> String {
        self.refresh();
        self.names
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }

    fn refresh(&mut self) {
        let mtime = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if mtime.is_some() && mtime == self.loaded_mtime {
            return;
        }
        self.loaded_mtime = mtime;
        self.names = std::fs::read_to_string(&self.path)
            .map(|text| parse(&text))
            .unwrap_or_default();
    }
}

fn parse(text: &str) -> HashMap<u32, String> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split(':');
            let name = parts.next()?;
            let uid = parts.nth(1)?.parse().ok()?;
            Some((uid, name.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_passwd_lines() {
        let names = super::parse("root:x:0:0:root:/root:/bin/bash\nbad line\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
        assert_eq!(names[&0], "root");
        assert_eq!(names[&33], "www-data");
        assert_eq!(names.len(), 2);
    }
}

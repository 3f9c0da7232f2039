//! How long ago the script a web request names was written: a request to a script
//! written minutes ago under a web root is how a web shell planted through an upload is
//! first used. The access log names a path under the site (`/uploads/x.php`), the file
//! sensor a path on disk; the agent joins them here, looking the request's path up under
//! the configured web roots (the web server's own configuration is not read).

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// Extensions of files a web server runs rather than serves.
const SCRIPTS: [&str; 14] = [
    "php", "phtml", "php5", "php7", "phar", "jsp", "jspx", "asp", "aspx", "ashx", "cgi", "pl",
    "py", "sh",
];

/// Seconds since the script `stem` (a request's path, `/uploads/x.php`) was last written
/// or had its times changed (the later of its modification and change times: setting the
/// modification time back does not make a new file look old), found under one of
/// `roots`; `None` when the path is not a script or is under none of them. Paths that
/// climb (`..`) are not looked up.
pub fn script_age_secs(roots: &[PathBuf], stem: &str, now_secs: i64) -> Option<u64> {
    let extension = stem.rsplit_once('.')?.1.to_ascii_lowercase();
    if !SCRIPTS.contains(&extension.as_str()) || !stem.starts_with('/') || stem.contains("..") {
        return None;
    }
    let relative = stem.trim_start_matches('/');
    roots.iter().find_map(|root| {
        let meta = std::fs::metadata(root.join(relative)).ok()?;
        meta.is_file().then(|| {
            now_secs
                .saturating_sub(meta.mtime().max(meta.ctime()))
                .max(0) as u64
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_under_a_root_has_an_age_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("uploads")).unwrap();
        std::fs::write(dir.path().join("uploads/x.php"), "<?php ?>").unwrap();
        std::fs::write(dir.path().join("page.html"), "").unwrap();
        let roots = [PathBuf::from("/nonexistent"), dir.path().to_path_buf()];
        let now = vigie_model::event::now_ms() as i64 / 1000;
        assert!(script_age_secs(&roots, "/uploads/x.php", now).unwrap() <= 2);
        assert_eq!(
            script_age_secs(&roots, "/uploads/x.php", now + 3600),
            Some(3600)
        );
        assert_eq!(
            script_age_secs(&roots, "/page.html", now),
            None,
            "not a script"
        );
        assert_eq!(script_age_secs(&roots, "/missing.php", now), None);
        assert_eq!(
            script_age_secs(&roots, "/uploads/../uploads/x.php", now),
            None
        );
    }
}

//! Finds the DejaVu fonts that PDF reports embed (Debian's `fonts-dejavu-core`, or the
//! folder `VIGIE_FONT_DIR` names) and hands their folder to the code, which includes
//! them: a report then looks the same on every server, with no font to install there.

use std::path::Path;

const FONTS: [&str; 3] = [
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono.ttf",
];
const DEBIAN: &str = "/usr/share/fonts/truetype/dejavu";

fn main() {
    println!("cargo:rerun-if-env-changed=VIGIE_FONT_DIR");
    let dir = std::env::var("VIGIE_FONT_DIR").unwrap_or_else(|_| DEBIAN.to_string());
    for font in FONTS {
        let path = Path::new(&dir).join(font);
        if !path.is_file() {
            panic!(
                "{} is missing: reports embed the DejaVu fonts. Install them with \
                 `apt-get install fonts-dejavu-core` (or `bash scripts/build-deps.sh`), or \
                 set VIGIE_FONT_DIR to a folder holding {}.",
                path.display(),
                FONTS.join(", ")
            );
        }
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rustc-env=VIGIE_FONT_DIR={dir}");
}

//! The fonts reports are written in — DejaVu Sans, Sans Bold and Sans Mono, built into
//! the dashboard (see `build.rs`; licence: Bitstream Vera / public domain, which allows
//! embedding) — and text measured as it will be drawn. DejaVu covers Latin with every
//! accent, Arabic, N'Ko, Tifinagh, Greek and Cyrillic, so one family serves names from
//! anywhere in the Sahel.
//!
//! A line mixing left-to-right and right-to-left writing is cut into runs of one
//! direction (spaces and punctuation between two right-to-left words stay in their run),
//! each shaped on its own: enough for names and phrases inside a sentence, without a
//! full bidirectional algorithm.

use std::sync::OnceLock;

use krilla::text::{Font, TextDirection};

/// A typeface of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Running text.
    Regular,
    /// Titles, headings, table headers.
    Bold,
    /// Identifiers, hashes, command lines.
    Mono,
}

static REGULAR: &[u8] = include_bytes!(concat!(env!("VIGIE_FONT_DIR"), "/DejaVuSans.ttf"));
static BOLD: &[u8] = include_bytes!(concat!(env!("VIGIE_FONT_DIR"), "/DejaVuSans-Bold.ttf"));
static MONO: &[u8] = include_bytes!(concat!(env!("VIGIE_FONT_DIR"), "/DejaVuSansMono.ttf"));

struct Loaded {
    shaper: rustybuzz::Face<'static>,
    font: Font,
}

fn loaded(face: Face) -> &'static Loaded {
    static FACES: OnceLock<[Loaded; 3]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [REGULAR, BOLD, MONO].map(|data| Loaded {
            shaper: rustybuzz::Face::from_slice(data, 0).expect("an embedded DejaVu font"),
            font: Font::new(data.into(), 0).expect("an embedded DejaVu font"),
        })
    });
    &faces[match face {
        Face::Regular => 0,
        Face::Bold => 1,
        Face::Mono => 2,
    }]
}

/// The font krilla draws `face` with.
pub fn font(face: Face) -> Font {
    loaded(face).font.clone()
}

/// One stretch of a line written in one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<'a> {
    /// Its text, in logical order.
    pub text: &'a str,
    /// How it is shaped.
    pub direction: TextDirection,
    /// Its width in points at `size`.
    pub width: f32,
}

fn right_to_left(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF      // Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Arabic ext.
        | 0xFB1D..=0xFDFF    // Hebrew and Arabic presentation forms A
        | 0xFE70..=0xFEFF    // Arabic presentation forms B
        | 0x10800..=0x10FFF  // historic right-to-left scripts
        | 0x1E800..=0x1EFFF)
}

fn neutral(c: char) -> bool {
    c.is_whitespace() || (c.is_ascii_punctuation() && c != '/' && c != '\\')
}

/// `text` cut into runs of one direction, each measured at `size`.
pub fn runs(face: Face, size: f32, text: &str) -> Vec<Run<'_>> {
    // Where each run starts, and whether it is right-to-left. Neutral characters
    // between two runs go with the left-to-right one.
    let mut cuts: Vec<(usize, bool)> = Vec::new();
    let mut last_strong_end = 0;
    for (at, c) in text.char_indices() {
        if neutral(c) {
            continue;
        }
        let rtl = right_to_left(c);
        match cuts.last() {
            None => cuts.push((0, rtl)),
            Some(&(_, current)) if current != rtl => {
                cuts.push((if rtl { at } else { last_strong_end }, rtl));
            }
            Some(_) => {}
        }
        last_strong_end = at + c.len_utf8();
    }
    if cuts.is_empty() {
        cuts.push((0, false));
    }
    let mut out = Vec::with_capacity(cuts.len());
    for (i, (start, rtl)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(text.len(), |c| c.0);
        let piece = &text[*start..end];
        let direction = if *rtl {
            TextDirection::RightToLeft
        } else {
            TextDirection::LeftToRight
        };
        out.push(Run {
            text: piece,
            direction,
            width: shaped_width(face, size, piece, *rtl),
        });
    }
    out
}

fn shaped_width(face: Face, size: f32, text: &str, rtl: bool) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let loaded = loaded(face);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let shaped = rustybuzz::shape(&loaded.shaper, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / loaded.shaper.units_per_em() as f32
}

/// The width of `text` in points at `size`.
pub fn width(face: Face, size: f32, text: &str) -> f32 {
    runs(face, size, text).iter().map(|r| r.width).sum()
}

/// `text` broken into lines no wider than `max` points: at spaces, and inside a word
/// only when the word alone is too wide (hashes, paths, command lines).
pub fn wrap(face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(face, size, &candidate) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it must be.
            let mut rest = word.to_string();
            while width(face, size, &rest) > max {
                let mut cut = rest.len();
                while cut > 1 && width(face, size, &rest[..cut]) > max {
                    cut = rest[..cut].char_indices().next_back().map_or(0, |(i, _)| i);
                }
                let cut = cut.max(rest.chars().next().map_or(1, char::len_utf8));
                lines.push(rest[..cut].to_string());
                rest = rest[cut..].to_string();
            }
            line = rest;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_of_the_region_has_its_glyphs() {
        for (name, text) in [
            ("French", "Ministère des Finances — Sécurité, « réseau »"),
            ("Arabic", "وزارة المالية"),
            ("N'Ko", "ߒߞߏ"),
            ("Tifinagh", "ⵜⵉⴼⵉⵏⴰⵖ"),
        ] {
            for face in [Face::Regular, Face::Bold] {
                let shaper = &loaded(face).shaper;
                for c in text.chars().filter(|c| !c.is_whitespace()) {
                    assert!(
                        shaper.glyph_index(c).is_some(),
                        "{name}: no glyph for {c:?} in {face:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_line_is_cut_into_runs_of_one_direction() {
        let runs = runs(Face::Regular, 10.0, "Serveur وزارة المالية (web1)");
        let directions: Vec<_> = runs.iter().map(|r| r.direction).collect();
        assert_eq!(
            directions,
            [
                TextDirection::LeftToRight,
                TextDirection::RightToLeft,
                TextDirection::LeftToRight
            ]
        );
        assert_eq!(
            runs[1].text.trim(),
            "وزارة المالية",
            "both words in one run"
        );
        assert!(runs.iter().all(|r| r.width > 0.0));
    }

    #[test]
    fn lines_wrap_at_spaces_and_long_words_are_cut() {
        let lines = wrap(Face::Regular, 10.0, "un deux trois quatre cinq six", 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(Face::Regular, 10.0, l) <= 60.0));
        assert_eq!(lines.join(" "), "un deux trois quatre cinq six");
        let hash = "a".repeat(200);
        let lines = wrap(Face::Mono, 8.0, &hash, 100.0);
        assert!(lines.len() > 3);
        assert_eq!(lines.concat(), hash);
    }
}

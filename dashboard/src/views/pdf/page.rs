//! What a laid-out page is made of: its size and margins, colours, drawing operations,
//! and what the document says about itself on every page.

use super::fonts::Face;

/// Page size (A4, points) and margins.
pub const WIDTH: f32 = 595.0;
/// Page height (A4, points).
pub const HEIGHT: f32 = 842.0;
/// Left and right margins.
pub const MARGIN: f32 = 56.0;
/// Where content starts and ends on a page (the header and footer are outside).
pub(super) const TOP: f32 = 70.0;
pub(super) const BOTTOM: f32 = HEIGHT - 64.0;
/// The width content may take.
pub const CONTENT: f32 = WIDTH - 2.0 * MARGIN;

/// A colour, as red, green, blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Text.
    pub const BLACK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
    /// Secondary text and axes.
    pub const GREY: Rgb = Rgb(0x6b, 0x6b, 0x6b);
    /// Table headers.
    pub const LIGHT: Rgb = Rgb(0xee, 0xf0, 0xf3);
    /// Rules between rows.
    pub const RULE: Rgb = Rgb(0xc8, 0xcc, 0xd2);
    /// Titles and headings.
    pub const ACCENT: Rgb = Rgb(0x1f, 0x3a, 0x5f);
    /// The classification marking.
    pub const MARKING: Rgb = Rgb(0xa3, 0x1a, 0x1a);
}

/// One drawing operation; `y` grows downwards, text `y` is its baseline.
#[derive(Debug, Clone)]
pub enum Op {
    /// One line of text from `x` at baseline `y`.
    #[allow(missing_docs)]
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        color: Rgb,
        text: String,
    },
    /// A filled rectangle.
    #[allow(missing_docs)]
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    /// A thin line.
    #[allow(missing_docs)]
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
    },
    /// The organisation's logo, fitted in the box.
    #[allow(missing_docs)]
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

/// What a document says about itself on every page and in its metadata.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Title (footer, metadata).
    pub title: String,
    /// Classification marking (header and footer of every page), may be empty.
    pub marking: String,
    /// "Page {n} of {m}" in the report's language.
    pub page_of: String,
    /// Language code (metadata).
    pub lang: String,
    /// Author (metadata).
    pub author: String,
    /// The organisation's logo (PNG or JPEG bytes), if configured.
    pub logo: Option<Vec<u8>>,
    /// When the document was made, ms since the epoch (metadata).
    pub created_ms: u64,
}

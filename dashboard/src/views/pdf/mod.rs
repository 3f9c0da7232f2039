//! PDF documents for reports, on krilla: A4 pages laid out top to bottom (headings,
//! wrapped paragraphs, tables whose header repeats on each page, bar charts drawn as
//! vector shapes, sign-off boxes), then drawn with a header and a footer on every page
//! (the classification marking, the title, "page N of M") and a table of contents
//! whose page numbers are known once everything is laid out. Fonts: see [`fonts`].
//!
//! The layout is kept as a list of drawing operations per page ([`Op`]) so the total
//! page count and the contents' page numbers exist before anything is drawn.

pub mod fonts;
mod page;
mod render;

pub use fonts::Face;

pub use page::{Frame, Op, Rgb, CONTENT, HEIGHT, MARGIN, WIDTH};
use page::{BOTTOM, TOP};

/// A bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Written beside or under it.
    pub label: String,
    /// Its height or length.
    pub value: u64,
    /// Its colour.
    pub color: Rgb,
}

/// A document being laid out.
pub struct Doc {
    frame: Frame,
    pages: Vec<Vec<Op>>,
    y: f32,
    /// Headings for the contents: text and page index.
    headings: Vec<(String, usize)>,
    /// The page kept for the contents, if any.
    contents_page: Option<(usize, String)>,
}

/// Text styles: face, size, line height.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Typeface.
    pub face: Face,
    /// Size in points.
    pub size: f32,
    /// Distance between two lines.
    pub leading: f32,
    /// Colour.
    pub color: Rgb,
}

impl Style {
    /// Running text.
    pub const BODY: Style = Style {
        face: Face::Regular,
        size: 10.0,
        leading: 14.0,
        color: Rgb::BLACK,
    };
    /// Tables and details.
    pub const SMALL: Style = Style {
        face: Face::Regular,
        size: 8.5,
        leading: 11.5,
        color: Rgb::BLACK,
    };
    /// Fields, hashes, command lines.
    pub const MONO: Style = Style {
        face: Face::Mono,
        size: 7.5,
        leading: 10.0,
        color: Rgb::BLACK,
    };
    /// Labels.
    pub const BOLD: Style = Style {
        face: Face::Bold,
        size: 10.0,
        leading: 14.0,
        color: Rgb::BLACK,
    };
    /// Section headings.
    pub const HEADING: Style = Style {
        face: Face::Bold,
        size: 14.0,
        leading: 20.0,
        color: Rgb::ACCENT,
    };
    /// Headings inside a section.
    pub const SUBHEADING: Style = Style {
        face: Face::Bold,
        size: 11.0,
        leading: 16.0,
        color: Rgb::ACCENT,
    };
}

impl Doc {
    /// An empty document (its first page started).
    pub fn new(frame: Frame) -> Doc {
        Doc {
            frame,
            pages: vec![Vec::new()],
            y: TOP,
            headings: Vec::new(),
            contents_page: None,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    /// Draws `op` on the current page, where the caller placed it.
    pub fn draw(&mut self, op: Op) {
        self.page().push(op);
    }

    /// The current position from the top of the page.
    pub fn y(&self) -> f32 {
        self.y
    }

    /// Moves the position to `y` on the current page.
    pub fn set_y(&mut self, y: f32) {
        self.y = y;
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// Keeps the next page for the table of contents, titled `title`.
    pub fn contents_here(&mut self, title: &str) {
        self.new_page();
        self.contents_page = Some((self.pages.len() - 1, title.to_string()));
        self.new_page();
    }

    /// A section heading, listed in the contents.
    pub fn heading(&mut self, text: &str) {
        self.keep(80.0);
        if self.y > TOP {
            self.space(10.0);
        }
        let page = self.pages.len() - 1;
        self.headings.push((text.to_string(), page));
        self.lines(Style::HEADING, text);
        let y = self.y - 4.0;
        self.draw(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: WIDTH - MARGIN,
            y2: y,
            color: Rgb::RULE,
        });
        self.space(6.0);
    }

    /// A heading inside a section.
    pub fn subheading(&mut self, text: &str) {
        self.keep(50.0);
        self.space(4.0);
        self.lines(Style::SUBHEADING, text);
        self.space(2.0);
    }

    /// Text in `style`, wrapped to the content width.
    pub fn lines(&mut self, style: Style, text: &str) {
        self.lines_at(style, text, MARGIN, CONTENT);
    }

    /// Text in `style`, wrapped to `width` from `x`.
    pub fn lines_at(&mut self, style: Style, text: &str, x: f32, width: f32) {
        for line in fonts::wrap(style.face, style.size, text, width) {
            self.keep(style.leading);
            let y = self.y + style.size;
            self.draw(Op::Text {
                x,
                y,
                face: style.face,
                size: style.size,
                color: style.color,
                text: line,
            });
            self.y += style.leading;
        }
    }

    /// A paragraph of running text.
    pub fn paragraph(&mut self, text: &str) {
        self.lines(Style::BODY, text);
        self.space(5.0);
    }

    /// Label and value pairs, the labels in a column.
    pub fn facts(&mut self, pairs: &[(String, String)]) {
        let label_width = pairs
            .iter()
            .map(|(l, _)| fonts::width(Face::Bold, Style::BODY.size, l))
            .fold(0.0f32, f32::max)
            .min(CONTENT * 0.4)
            + 12.0;
        for (label, value) in pairs {
            let lines = fonts::wrap(
                Face::Regular,
                Style::BODY.size,
                value,
                CONTENT - label_width,
            );
            self.keep(Style::BODY.leading * lines.len().max(1) as f32);
            let top = self.y;
            self.lines_at(Style::BOLD, label, MARGIN, label_width - 8.0);
            let after_label = self.y;
            self.y = top;
            self.lines_at(
                Style::BODY,
                value,
                MARGIN + label_width,
                CONTENT - label_width,
            );
            self.y = self.y.max(after_label);
        }
        self.space(4.0);
    }

    /// A table: `widths` are fractions of the content width; the header row repeats on
    /// each page the table runs onto. Cells wrap.
    pub fn table(&mut self, headers: &[String], widths: &[f32], rows: &[Vec<String>]) {
        let columns: Vec<(f32, f32)> = {
            let mut x = MARGIN;
            widths
                .iter()
                .map(|w| {
                    let c = (x, w * CONTENT);
                    x += w * CONTENT;
                    c
                })
                .collect()
        };
        let pad = 3.0;
        let style = Style::SMALL;
        let wrapped = |face: Face, cells: &[String]| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&columns)
                .map(|(c, (_, w))| fonts::wrap(face, style.size, c, w - 2.0 * pad))
                .collect()
        };
        let header = wrapped(Face::Bold, headers);
        let row_height = |cells: &Vec<Vec<String>>| {
            cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * style.leading + 2.0 * pad
        };
        let draw_row = |doc: &mut Doc, cells: &Vec<Vec<String>>, face: Face, fill: Option<Rgb>| {
            let h = row_height(cells);
            if let Some(color) = fill {
                doc.draw(Op::Rect {
                    x: MARGIN,
                    y: doc.y,
                    w: CONTENT,
                    h,
                    color,
                });
            }
            for (lines, (x, _)) in cells.iter().zip(&columns) {
                for (i, line) in lines.iter().enumerate() {
                    let y = doc.y + pad + style.size + i as f32 * style.leading;
                    doc.draw(Op::Text {
                        x: x + pad,
                        y,
                        face,
                        size: style.size,
                        color: style.color,
                        text: line.clone(),
                    });
                }
            }
            doc.y += h;
            doc.draw(Op::Line {
                x1: MARGIN,
                y1: doc.y,
                x2: WIDTH - MARGIN,
                y2: doc.y,
                color: Rgb::RULE,
            });
        };
        self.keep(row_height(&header) * 2.0);
        draw_row(self, &header, Face::Bold, Some(Rgb::LIGHT));
        for row in rows {
            let cells = wrapped(Face::Regular, row);
            if self.y + row_height(&cells) > BOTTOM {
                self.new_page();
                draw_row(self, &header, Face::Bold, Some(Rgb::LIGHT));
            }
            draw_row(self, &cells, Face::Regular, None);
        }
        self.space(8.0);
    }

    /// A vertical bar chart `height` points high with its labels beneath (every
    /// `label_every`-th shown) and the largest value written above its bar.
    pub fn column_chart(&mut self, bars: &[Bar], height: f32, label_every: usize) {
        self.keep(height + 30.0);
        let top = self.y;
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
        let slot = CONTENT / bars.len().max(1) as f32;
        let bar_width = (slot * 0.7).max(1.0);
        let base = top + height;
        self.draw(Op::Line {
            x1: MARGIN,
            y1: base,
            x2: WIDTH - MARGIN,
            y2: base,
            color: Rgb::GREY,
        });
        for (i, bar) in bars.iter().enumerate() {
            let h = height * bar.value as f32 / max as f32;
            let x = MARGIN + i as f32 * slot + (slot - bar_width) / 2.0;
            if bar.value > 0 {
                self.draw(Op::Rect {
                    x,
                    y: base - h,
                    w: bar_width,
                    h,
                    color: bar.color,
                });
            }
            if bar.value == max || bars.len() <= 16 {
                let text = bar.value.to_string();
                let w = fonts::width(Face::Regular, 7.0, &text);
                self.draw(Op::Text {
                    x: x + bar_width / 2.0 - w / 2.0,
                    y: base - h - 3.0,
                    face: Face::Regular,
                    size: 7.0,
                    color: Rgb::GREY,
                    text,
                });
            }
            if label_every > 0 && i % label_every == 0 {
                self.draw(Op::Text {
                    x: MARGIN + i as f32 * slot,
                    y: base + 10.0,
                    face: Face::Regular,
                    size: 7.0,
                    color: Rgb::GREY,
                    text: bar.label.clone(),
                });
            }
        }
        self.y = base + 20.0;
    }

    /// Horizontal bars, one per line: label, bar, value.
    pub fn bar_chart(&mut self, bars: &[Bar]) {
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
        let label_width = 110.0;
        let room = CONTENT - label_width - 50.0;
        for bar in bars {
            self.keep(16.0);
            self.draw(Op::Text {
                x: MARGIN,
                y: self.y + 10.0,
                face: Face::Regular,
                size: 9.0,
                color: Rgb::BLACK,
                text: bar.label.clone(),
            });
            let w = room * bar.value as f32 / max as f32;
            if bar.value > 0 {
                self.draw(Op::Rect {
                    x: MARGIN + label_width,
                    y: self.y + 2.0,
                    w: w.max(1.0),
                    h: 10.0,
                    color: bar.color,
                });
            }
            self.draw(Op::Text {
                x: MARGIN + label_width + w + 6.0,
                y: self.y + 10.0,
                face: Face::Bold,
                size: 9.0,
                color: Rgb::BLACK,
                text: bar.value.to_string(),
            });
            self.y += 16.0;
        }
        self.space(6.0);
    }

    /// Boxes side by side for names, dates and signatures, one per label.
    pub fn sign_off(&mut self, boxes: &[(String, String)]) {
        let height = 90.0;
        self.keep(height + 10.0);
        let gap = 12.0;
        let w = (CONTENT - gap * (boxes.len().max(1) - 1) as f32) / boxes.len().max(1) as f32;
        for (i, (label, filled)) in boxes.iter().enumerate() {
            let x = MARGIN + i as f32 * (w + gap);
            let y = self.y;
            for (x1, y1, x2, y2) in [
                (x, y, x + w, y),
                (x, y + height, x + w, y + height),
                (x, y, x, y + height),
                (x + w, y, x + w, y + height),
            ] {
                self.draw(Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    color: Rgb::GREY,
                });
            }
            self.draw(Op::Text {
                x: x + 6.0,
                y: y + 14.0,
                face: Face::Bold,
                size: 9.0,
                color: Rgb::ACCENT,
                text: label.clone(),
            });
            for (n, line) in fonts::wrap(Face::Regular, 9.0, filled, w - 12.0)
                .into_iter()
                .enumerate()
            {
                self.draw(Op::Text {
                    x: x + 6.0,
                    y: y + 30.0 + n as f32 * 12.0,
                    face: Face::Regular,
                    size: 9.0,
                    color: Rgb::BLACK,
                    text: line,
                });
            }
        }
        self.y += height + 10.0;
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Vec<u8> {
        if let Some((page, title)) = self.contents_page.take() {
            let ops = contents(&title, &self.headings);
            self.pages[page].extend(ops);
        }
        render::render(&self.frame, &self.pages)
    }
}

/// The contents page: each heading and its page number (pages counted from 1).
fn contents(title: &str, headings: &[(String, usize)]) -> Vec<Op> {
    let mut ops = vec![Op::Text {
        x: MARGIN,
        y: TOP + 16.0,
        face: Face::Bold,
        size: 16.0,
        color: Rgb::ACCENT,
        text: title.to_string(),
    }];
    let mut y = TOP + 50.0;
    for (text, page) in headings {
        let number = (page + 1).to_string();
        let nw = fonts::width(Face::Regular, 11.0, &number);
        ops.push(Op::Text {
            x: MARGIN,
            y,
            face: Face::Regular,
            size: 11.0,
            color: Rgb::BLACK,
            text: text.clone(),
        });
        let tw = fonts::width(Face::Regular, 11.0, text);
        // Dotted leader between the heading and its page number.
        let mut x = MARGIN + tw + 6.0;
        while x < WIDTH - MARGIN - nw - 8.0 {
            ops.push(Op::Rect {
                x,
                y: y - 1.5,
                w: 1.0,
                h: 1.0,
                color: Rgb::GREY,
            });
            x += 4.0;
        }
        ops.push(Op::Text {
            x: WIDTH - MARGIN - nw,
            y,
            face: Face::Regular,
            size: 11.0,
            color: Rgb::BLACK,
            text: number,
        });
        y += 20.0;
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf_of(text: &str) -> Vec<u8> {
        let mut doc = Doc::new(Frame {
            title: "Rapport".to_string(),
            marking: "DIFFUSION RESTREINTE".to_string(),
            page_of: "Page {n} sur {m}".to_string(),
            lang: "fr".to_string(),
            author: "analyste".to_string(),
            logo: None,
            created_ms: 1_764_590_580_000,
        });
        doc.paragraph(text);
        doc.lines(Style::MONO, text);
        doc.finish()
    }

    fn holds(pdf: &[u8], needle: &str) -> bool {
        pdf.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn reports_are_pdf_a_2b_with_their_creation_date() {
        let pdf = pdf_of("Serveur « قاعدة-البيانات » : accès refusé");
        assert!(holds(&pdf, "<pdfaid:part>2</pdfaid:part>"));
        assert!(holds(&pdf, "<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(holds(&pdf, "/OutputIntents"));
        assert!(
            holds(&pdf, "2025-12-01T12:03:00"),
            "creation date in the metadata"
        );
    }

    #[test]
    fn text_no_font_can_draw_still_makes_a_report_but_not_a_pdf_a() {
        // DejaVu has no Chinese: PDF/A forbids the blank box drawn instead.
        let pdf = pdf_of("服务器");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(!holds(&pdf, "pdfaid:part"));
    }
}

//! A small PDF writer for reports: A4 pages of wrapped text in the standard fonts every
//! PDF reader has (Helvetica, Helvetica-Bold, Courier), so no font is embedded and no
//! browser is needed. Text is encoded in WinAnsi, which covers French; a character
//! outside it is written `?`.

/// Page size (A4, points) and margins.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;

/// A text style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// Report title.
    Title,
    /// Section heading.
    Heading,
    /// Running text.
    Body,
    /// Fixed-width text (fields, hashes, command lines).
    Mono,
}

impl Style {
    /// Font resource, size, line height, and the average character width used to wrap.
    fn metrics(self) -> (&'static str, f32, f32, f32) {
        match self {
            Style::Title => ("F2", 16.0, 22.0, 9.0),
            Style::Heading => ("F2", 12.0, 18.0, 6.8),
            Style::Body => ("F1", 9.5, 12.5, 5.0),
            Style::Mono => ("F3", 8.0, 10.5, 4.8),
        }
    }
}

/// A document being written.
pub struct Pdf {
    title: String,
    pages: Vec<Vec<u8>>,
    current: Vec<u8>,
    y: f32,
}

/// `text` in WinAnsi (Windows-1252) bytes.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            0x20ac => 0x80, // €
            0x2018 => 0x91,
            0x2019 => 0x92,
            0x201c => 0x93,
            0x201d => 0x94,
            0x2022 => 0x95, // •
            0x2013 => 0x96,
            0x2014 => 0x97,
            0x2026 => 0x85, // …
            0x0152 => 0x8c, // Œ
            0x0153 => 0x9c, // œ
            0x2192 => b'>',
            _ => b'?',
        })
        .collect()
}

/// A PDF string literal of `bytes`.
fn literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![b'('];
    for &b in bytes {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Splits `text` into lines of at most `width` characters, at spaces where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word = word.to_string();
            // Words longer than a line are cut.
            while word.chars().count() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                lines.push(head);
            }
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if needed > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

impl Pdf {
    /// An empty document titled `title` (shown by readers).
    pub fn new(title: &str) -> Pdf {
        Pdf {
            title: title.to_string(),
            pages: Vec::new(),
            current: Vec::new(),
            y: HEIGHT - MARGIN,
        }
    }

    fn new_page(&mut self) {
        let done = std::mem::take(&mut self.current);
        self.pages.push(done);
        self.y = HEIGHT - MARGIN;
    }

    /// Writes `text` in `style`, wrapped to the page, starting new pages as needed.
    pub fn text(&mut self, style: Style, text: &str) {
        let (font, size, leading, char_width) = style.metrics();
        let width = ((WIDTH - 2.0 * MARGIN) / char_width) as usize;
        if matches!(style, Style::Heading | Style::Title) && self.y < MARGIN + 4.0 * leading {
            self.new_page();
        }
        for line in wrap(text, width) {
            if self.y < MARGIN + leading {
                self.new_page();
            }
            self.y -= leading;
            self.current.extend_from_slice(
                format!("BT /{font} {size} Tf {MARGIN} {:.1} Td ", self.y).as_bytes(),
            );
            self.current.extend(literal(&win_ansi(&line)));
            self.current.extend_from_slice(b" Tj ET\n");
        }
    }

    /// Leaves `points` of vertical space.
    pub fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// The finished file, with page numbers in the footer.
    pub fn finish(mut self) -> Vec<u8> {
        if !self.current.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        let count = self.pages.len();
        let mut objects: Vec<Vec<u8>> = Vec::new();
        // 1 catalog, 2 page tree, 3-5 fonts, 6 info; then a page and its content each.
        let kids: String = (0..count)
            .map(|i| format!("{} 0 R", 7 + 2 * i))
            .collect::<Vec<_>>()
            .join(" ");
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>").into_bytes());
        for base in ["Helvetica", "Helvetica-Bold", "Courier"] {
            objects.push(
                format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>")
                    .into_bytes(),
            );
        }
        let mut info = b"<< /Producer (Vigie) /Title ".to_vec();
        info.extend(literal(&win_ansi(&self.title)));
        info.extend_from_slice(b" >>");
        objects.push(info);
        for (i, page) in self.pages.iter().enumerate() {
            let mut content = page.clone();
            content.extend_from_slice(
                format!(
                    "BT /F1 8 Tf {:.1} 25 Td ({} / {count}) Tj ET\n",
                    WIDTH / 2.0 - 10.0,
                    i + 1
                )
                .as_bytes(),
            );
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {} 0 R >>",
                    8 + 2 * i
                )
                .into_bytes(),
            );
            let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            stream.extend(content);
            stream.extend_from_slice(b"\nendstream");
            objects.push(stream);
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_and_encodes() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(
            win_ansi("Événement (clé) → ✓"),
            b"\xc9v\xe9nement (cl\xe9) > ?".to_vec()
        );
        assert_eq!(literal(b"a(b)\\"), b"(a\\(b\\)\\\\)".to_vec());
    }

    #[test]
    fn documents_are_well_formed() {
        let mut pdf = Pdf::new("Rapport");
        pdf.text(Style::Title, "Rapport d'incident");
        for i in 0..200 {
            pdf.text(Style::Body, &format!("ligne {i} (avec des parenthèses)"));
        }
        let bytes = pdf.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        assert!(text.contains("/Count 4"), "200 lines need 4 pages");
        // Every xref offset points at its object.
        let xref = text.rfind("xref\n").unwrap();
        for (i, line) in text[xref..].lines().skip(3).take(6).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(bytes[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
    }
}

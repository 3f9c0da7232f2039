//! Draws laid-out pages with krilla: each page's operations, then its header (marking)
//! and footer (title, marking, "page N of M"); fonts embedded (subset), metadata set,
//! written as PDF/A-2b (the archival form) whenever the text allows it.

use krilla::color::rgb;
use krilla::configure::{Archival, Configuration, ConfigurationBuilder};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};
use vigie_model::time::utc_fields;

use super::fonts::{self, Face};
use super::page::{Frame, Op, Rgb, HEIGHT, MARGIN, WIDTH};

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn text(surface: &mut Surface, x: f32, y: f32, face: Face, size: f32, color: Rgb, s: &str) {
    surface.set_stroke(None);
    surface.set_fill(Some(fill(color)));
    let mut x = x;
    for run in fonts::runs(face, size, s) {
        surface.draw_text(
            Point::from_xy(x, y),
            fonts::font(face),
            size,
            run.text,
            false,
            run.direction,
        );
        x += run.width;
    }
}

fn draw(surface: &mut Surface, op: &Op, logo: Option<&Image>) {
    match op {
        Op::Text {
            x,
            y,
            face,
            size,
            color,
            text: s,
        } => text(surface, *x, *y, *face, *size, *color, s),
        Op::Rect { x, y, w, h, color } => {
            let mut path = PathBuilder::new();
            path.move_to(*x, *y);
            path.line_to(x + w, *y);
            path.line_to(x + w, y + h);
            path.line_to(*x, y + h);
            path.close();
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            color,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(color.0, color.1, color.2).into(),
                    width: 0.6,
                    ..Default::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Logo { x, y, w, h } => {
            let Some(image) = logo else { return };
            let (iw, ih) = image.size();
            let scale = (w / iw.max(1) as f32).min(h / ih.max(1) as f32);
            let (dw, dh) = (iw as f32 * scale, ih as f32 * scale);
            if let Some(size) = Size::from_wh(dw, dh) {
                surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                surface.draw_image(image.clone(), size);
                surface.pop();
            }
        }
    }
}

/// The header and footer of page `n` (from 1) of `total`.
fn frame(surface: &mut Surface, frame: &Frame, n: usize, total: usize) {
    let small = 7.5;
    if !frame.marking.is_empty() {
        let w = fonts::width(Face::Bold, 9.0, &frame.marking);
        text(
            surface,
            WIDTH / 2.0 - w / 2.0,
            34.0,
            Face::Bold,
            9.0,
            Rgb::MARKING,
            &frame.marking,
        );
        text(
            surface,
            WIDTH / 2.0 - w / 2.0,
            HEIGHT - 22.0,
            Face::Bold,
            9.0,
            Rgb::MARKING,
            &frame.marking,
        );
    }
    let footer_y = HEIGHT - 38.0;
    let title = fonts::wrap(Face::Regular, small, &frame.title, WIDTH / 2.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    text(
        surface,
        MARGIN,
        footer_y,
        Face::Regular,
        small,
        Rgb::GREY,
        &title,
    );
    let page = frame
        .page_of
        .replace("{n}", &n.to_string())
        .replace("{m}", &total.to_string());
    let w = fonts::width(Face::Regular, small, &page);
    text(
        surface,
        WIDTH - MARGIN - w,
        footer_y,
        Face::Regular,
        small,
        Rgb::GREY,
        &page,
    );
}

/// The PDF of `pages`: PDF/A-2b, or a plain PDF when the text holds what PDF/A forbids
/// (a character none of the embedded fonts has would be drawn as a blank box, the
/// `.notdef` glyph) — the report is still made, its text unchanged, and the log says why.
pub(super) fn render(frame_info: &Frame, pages: &[Vec<Op>]) -> Vec<u8> {
    match draw_document(frame_info, pages, archival()) {
        Ok(pdf) => pdf,
        Err(refused) => {
            tracing::warn!(
                title = %frame_info.title,
                reason = ?refused,
                "report written as plain PDF, not PDF/A-2b / rapport écrit en PDF simple, pas en PDF/A-2b"
            );
            draw_document(frame_info, pages, Configuration::default())
                .expect("a PDF of embedded fonts and plain shapes")
        }
    }
}

fn draw_document(
    frame_info: &Frame,
    pages: &[Vec<Op>],
    configuration: Configuration,
) -> Result<Vec<u8>, KrillaError> {
    // Interpolation off: PDF/A forbids asking the reader to smooth images.
    let logo = frame_info.logo.as_ref().and_then(|bytes| {
        Image::from_png(bytes.clone().into(), false)
            .or_else(|_| Image::from_jpeg(bytes.clone().into(), false))
            .ok()
    });
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    let (year, [month, day, hour, minute, second]) = utc_fields(frame_info.created_ms);
    document.set_metadata(
        Metadata::new()
            .creation_date(
                DateTime::new(year)
                    .month(month)
                    .day(day)
                    .hour(hour)
                    .minute(minute)
                    .second(second)
                    .utc_offset_hour(0),
            )
            .title(frame_info.title.clone())
            .language(frame_info.lang.clone())
            .authors(vec![frame_info.author.clone()])
            .creator("Vigie".to_string())
            .producer("Vigie (krilla)".to_string()),
    );
    let total = pages.len();
    for (i, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4"));
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, logo.as_ref());
        }
        frame(&mut surface, frame_info, i + 1, total);
        surface.finish();
        page.finish();
    }
    document.finish()
}

/// PDF/A-2b, the archival form national archives and CERTs keep: krilla refuses to
/// write anything it forbids (fonts not embedded, device colours, missing metadata),
/// and adds the sRGB output intent and the XMP metadata it requires.
fn archival() -> Configuration {
    ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .expect("PDF/A-2b has a PDF version")
}

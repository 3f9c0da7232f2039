//! Charts drawn by the dashboard itself as inline SVG: no script, no outside library,
//! a few kilobytes each. Every label goes through [`esc`].

use crate::views::html::esc;

/// Colours of the severities, least serious first (as in the style sheet).
pub const SEVERITY_COLOURS: [&str; 5] = ["#adb5bd", "#a8dadc", "#f4a261", "#d62828", "#7b1020"];

/// A stacked bar chart: one bar per bucket, one stack segment per series.
/// `buckets` holds each bar's label and its values (one per series, in `series` order).
pub fn stacked_bars(
    title: &str,
    series: &[(&str, &str)],
    buckets: &[(String, Vec<u64>)],
) -> String {
    let (width, height, left, bottom) = (720.0_f64, 200.0_f64, 40.0_f64, 30.0_f64);
    let max = buckets
        .iter()
        .map(|(_, v)| v.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = (width - left) / buckets.len().max(1) as f64;
    let bar = (slot * 0.8).max(1.0);
    let plot = height - bottom;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">",
        esc(title),
        height + 20.0
    );
    svg.push_str(&format!(
        "<text x=\"0\" y=\"10\">{}</text><line x1=\"{left}\" y1=\"{plot}\" x2=\"{width}\" y2=\"{plot}\" stroke=\"#889\"/>",
        max as u64
    ));
    for (i, (label, values)) in buckets.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let mut y = plot;
        for (value, (name, colour)) in values.iter().zip(series) {
            if *value == 0 {
                continue;
            }
            let h = *value as f64 / max * (plot - 15.0);
            y -= h;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {} {}</title></rect>",
                esc(label),
                value,
                esc(name)
            ));
        }
        // A label under every few bars, so they never overlap.
        let every = (buckets.len() / 12).max(1);
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\">{}</text>",
                plot + 14.0,
                esc(label)
            ));
        }
    }
    let mut x = left;
    for (name, colour) in series {
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            height + 2.0,
            x + 14.0,
            height + 11.0,
            esc(name)
        ));
        x += 110.0;
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: a label and a value each, longest first as given.
pub fn horizontal_bars(title: &str, items: &[(String, u64)], colour: &str) -> String {
    let row = 22.0_f64;
    let (width, label_width) = (720.0_f64, 330.0_f64);
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {:.0}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">",
        esc(title),
        row * items.len().max(1) as f64
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = i as f64 * row;
        let w = *value as f64 / max * (width - label_width - 60.0);
        let shown: String = label.chars().take(48).collect();
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\">{}</text><rect x=\"{label_width}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {value}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{value}</text>",
            y + 15.0,
            esc(&shown),
            y + 3.0,
            row - 6.0,
            esc(label),
            label_width + w + 4.0,
            y + 15.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale_to_the_largest() {
        let svg = horizontal_bars(
            "top",
            &[("<b>host</b>".into(), 10), ("other".into(), 5)],
            "#1d3557",
        );
        assert!(svg.contains("&lt;b&gt;host") && !svg.contains("<b>"));
        let bars = stacked_bars(
            "t",
            &[("low", "#a8dadc"), ("high", "#d62828")],
            &[("00:00".into(), vec![1, 3]), ("01:00".into(), vec![0, 0])],
        );
        assert_eq!(
            bars.matches("<rect").count(),
            2 + 2,
            "two segments, two legend keys"
        );
    }
}

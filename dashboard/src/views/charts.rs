//! Charts drawn by the dashboard itself as inline SVG: no script, no outside library, a
//! few kilobytes each. Written as templates, so every label is escaped.

use maud::{html, Markup};

/// Colours of the severities, least serious first (as in the style sheet).
pub const SEVERITY_COLOURS: [&str; 5] = ["#adb5bd", "#a8dadc", "#f4a261", "#d62828", "#7b1020"];

fn num(x: f64) -> String {
    format!("{x:.1}")
}

/// A stacked bar chart: one bar per bucket, one stack segment per series.
/// `buckets` holds each bar's label and its values (one per series, in `series` order);
/// `link(bucket, series)` is where a segment leads.
pub fn stacked_bars(
    title: &str,
    series: &[(&str, &str)],
    buckets: &[(String, Vec<u64>)],
    link: &dyn Fn(usize, usize) -> String,
) -> Markup {
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
    // A label under every few bars, so they never overlap.
    let every = (buckets.len() / 12).max(1);
    html! {
        svg role="img" aria-label=(title) viewBox={ "0 0 " (width) " " (height + 20.0) } width="100%" xmlns="http://www.w3.org/2000/svg" font-size="11" {
            text x="0" y="10" { (max as u64) }
            line x1=(left) y1=(plot) x2=(width) y2=(plot) stroke="#889" {}
            @for (i, (label, values)) in buckets.iter().enumerate() {
                @let x = left + i as f64 * slot + (slot - bar) / 2.0;
                @for (y, h, value, name, colour, k) in stack(values, series, plot, max) {
                    a href=(link(i, k)) {
                        rect x=(num(x)) y=(num(y)) width=(num(bar)) height=(num(h)) fill=(colour) {
                            title { (label) ": " (value) " " (name) }
                        }
                    }
                }
                @if i % every == 0 {
                    text x=(num(x)) y=(num(plot + 14.0)) { (label) }
                }
            }
            @for (i, (name, colour)) in series.iter().enumerate() {
                @let x = left + i as f64 * 110.0;
                rect x=(num(x)) y=(num(height + 2.0)) width="10" height="10" fill=(colour) {}
                text x=(num(x + 14.0)) y=(num(height + 11.0)) { (name) }
            }
        }
    }
}

/// One bar's segments, bottom up: top, height, value, series name, colour and series
/// index (empty segments left out).
fn stack<'a>(
    values: &'a [u64],
    series: &'a [(&'a str, &'a str)],
    plot: f64,
    max: f64,
) -> Vec<(f64, f64, u64, &'a str, &'a str, usize)> {
    let mut y = plot;
    values
        .iter()
        .zip(series)
        .enumerate()
        .filter(|(_, (value, _))| **value > 0)
        .map(|(k, (value, (name, colour)))| {
            let h = *value as f64 / max * (plot - 15.0);
            y -= h;
            (y, h, *value, *name, *colour, k)
        })
        .collect()
}

/// Horizontal bars: a label, a value and where the bar leads, longest first as given.
pub fn horizontal_bars(title: &str, items: &[(String, u64, String)], colour: &str) -> Markup {
    let row = 22.0_f64;
    let (width, label_width) = (720.0_f64, 330.0_f64);
    let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1) as f64;
    html! {
        svg role="img" aria-label=(title) viewBox={ "0 0 " (width) " " (format!("{:.0}", row * items.len().max(1) as f64)) } width="100%" xmlns="http://www.w3.org/2000/svg" font-size="12" {
            @for (i, (label, value, href)) in items.iter().enumerate() {
                @let y = i as f64 * row;
                @let w = *value as f64 / max * (width - label_width - 60.0);
                a href=(href) {
                    text x="0" y=(num(y + 15.0)) { (label.chars().take(48).collect::<String>()) }
                    rect x=(label_width) y=(num(y + 3.0)) width=(num(w)) height=(num(row - 6.0)) fill=(colour) {
                        title { (label) ": " (value) }
                    }
                    text x=(num(label_width + w + 4.0)) y=(num(y + 15.0)) { (value) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale_to_the_largest() {
        let svg = horizontal_bars(
            "top",
            &[
                ("<b>host</b>".into(), 10, "/alerts?host=%3Cb%3E".into()),
                ("other".into(), 5, "/alerts?host=other".into()),
            ],
            "#1d3557",
        )
        .into_string();
        assert!(svg.contains("&lt;b&gt;host") && !svg.contains("<b>"));
        let bars = stacked_bars(
            "t",
            &[("low", "#a8dadc"), ("high", "#d62828")],
            &[("00:00".into(), vec![1, 3]), ("01:00".into(), vec![0, 0])],
            &|bucket, series| format!("/alerts?b={bucket}&s={series}"),
        )
        .into_string();
        assert_eq!(
            bars.matches("<rect").count(),
            2 + 2,
            "two segments, two legend keys"
        );
        assert!(bars.contains("href=\"/alerts?b=0&amp;s=1\""), "{bars}");
        assert!(svg.contains("href=\"/alerts?host=other\""));
    }
}

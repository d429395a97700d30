//! What every chart shares around its data: title and subtitle, a legend row, value axes
//! with gridlines, the empty state, and the linear scale that maps values to pixels.
//!
//! The charts are drawn for a phone held upright: one big title that says what is shown,
//! a subtitle with the key numbers (readable even if the plot is not), the legend on its
//! own row rather than over the data, and muted gridlines so the bars carry the contrast.

use super::canvas::{fit, text_width, Align, Canvas, Font};
use super::spec::{Rgb, Theme};

/// A rendered chart before encoding.
pub(crate) struct Drawn {
    pub name: String,
    pub title: String,
    pub alt_text: String,
    pub canvas: Canvas,
}

/// Maps a value range onto a pixel range (either direction).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from_px: f64,
    pub to_px: f64,
}

impl Scale {
    pub fn px(&self, v: f64) -> f64 {
        let span = if self.hi > self.lo {
            self.hi - self.lo
        } else {
            1.0
        };
        self.from_px + (v - self.lo) / span * (self.to_px - self.from_px)
    }

    pub fn ipx(&self, v: f64) -> i32 {
        self.px(v).round() as i32
    }
}

/// Where the legend's baseline sits, below the title and subtitle.
pub(crate) fn legend_baseline(theme: &Theme) -> i32 {
    subtitle_baseline(theme) + (theme.legend_size * 1.9) as i32
}

fn title_baseline(theme: &Theme) -> i32 {
    theme.padding + Font::bold(theme.title_size).cap_height().round() as i32
}

fn subtitle_baseline(theme: &Theme) -> i32 {
    title_baseline(theme) + (theme.subtitle_size * 1.75) as i32
}

/// The title, bold, and the subtitle with the key figures under it.
pub(crate) fn header(
    canvas: &mut Canvas,
    theme: &Theme,
    title: &str,
    subtitle: &str,
) -> anyhow::Result<()> {
    let x = theme.padding;
    let room = canvas.width as i32 - 2 * theme.padding;
    let (title_font, subtitle_font) = (
        Font::bold(theme.title_size),
        Font::regular(theme.subtitle_size),
    );
    let title = fit(title, title_font, room)?;
    let subtitle = fit(subtitle, subtitle_font, room)?;
    canvas.text(
        &title,
        x,
        title_baseline(theme),
        title_font,
        theme.text,
        Align::Left,
    )?;
    canvas.text(
        &subtitle,
        x,
        subtitle_baseline(theme),
        subtitle_font,
        theme.muted_text,
        Align::Left,
    )?;
    Ok(())
}

/// How a legend item is drawn before its label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Bar(Rgb),
    Line(Rgb),
    Dashed(Rgb),
    Dot(Rgb),
}

/// One row of legend items, left to right.
pub(crate) fn legend(
    canvas: &mut Canvas,
    theme: &Theme,
    items: &[(Swatch, &str)],
) -> anyhow::Result<()> {
    let font = Font::regular(theme.legend_size);
    let baseline = legend_baseline(theme);
    let mid = baseline as f64 - font.cap_height() / 2.0;
    let mut x = theme.padding;
    for (swatch, label) in items {
        let w = 34;
        match *swatch {
            Swatch::Bar(c) => {
                canvas.rect(x, (mid - 11.0) as i32, x + w - 10, (mid + 11.0) as i32, c)?
            }
            Swatch::Line(c) => {
                canvas.polyline(&[(x as f64 + 2.0, mid), ((x + w - 2) as f64, mid)], 5.0, c)
            }
            Swatch::Dashed(c) => {
                canvas.dashed_hline(x, x + w, mid.round() as i32, 4, [14, 6], c)?
            }
            Swatch::Dot(c) => canvas.disc(((x + w / 2 - 4) as f64, mid), 10.0, c),
        }
        let drawn = canvas.text(label, x + w + 10, baseline, font, theme.text, Align::Left)?;
        x += w + 10 + drawn + 40;
    }
    Ok(())
}

/// Widest of the tick labels, to size the label column of a value axis.
pub(crate) fn widest<'a>(
    labels: impl IntoIterator<Item = &'a str>,
    font: Font,
) -> anyhow::Result<i32> {
    labels
        .into_iter()
        .try_fold(0, |m, l| Ok(m.max(text_width(l, font)?)))
}

/// Horizontal gridlines at `ticks` between `x0` and `x1`, labelled on the left of `x0`.
/// The line at zero is drawn in the axis colour: it is the baseline bars grow from.
pub(crate) fn y_axis(
    canvas: &mut Canvas,
    theme: &Theme,
    y: Scale,
    ticks: &[(f64, String)],
    x0: i32,
    x1: i32,
) -> anyhow::Result<()> {
    let font = Font::regular(theme.label_size);
    for (value, label) in ticks {
        let py = y.ipx(*value);
        let colour = if *value == 0.0 {
            theme.axis
        } else {
            theme.grid
        };
        canvas.rect(x0, py - 1, x1, py, colour)?;
        let baseline = py + (font.cap_height() / 2.0).round() as i32;
        canvas.text(
            label,
            x0 - 16,
            baseline,
            font,
            theme.muted_text,
            Align::Right,
        )?;
    }
    Ok(())
}

/// Vertical gridlines at `ticks` between `y0` and `y1`, labelled under `y1`.
pub(crate) fn x_axis(
    canvas: &mut Canvas,
    theme: &Theme,
    x: Scale,
    ticks: &[(f64, String)],
    y0: i32,
    y1: i32,
) -> anyhow::Result<()> {
    let font = Font::regular(theme.label_size);
    for (value, label) in ticks {
        let px = x.ipx(*value);
        let colour = if *value == 0.0 {
            theme.axis
        } else {
            theme.grid
        };
        canvas.rect(px - 1, y0, px, y1, colour)?;
        let baseline = y1 + 12 + font.cap_height().round() as i32;
        canvas.text(label, px, baseline, font, theme.muted_text, Align::Center)?;
    }
    Ok(())
}

/// A centred sentence in place of the plot, for a chart with nothing to show.
pub(crate) fn empty(
    canvas: &mut Canvas,
    theme: &Theme,
    message: &str,
    top: i32,
    bottom: i32,
) -> anyhow::Result<()> {
    let font = Font::regular(theme.value_size);
    let baseline = (top + bottom) / 2 + (font.cap_height() / 2.0) as i32;
    let x = canvas.width as i32 / 2;
    canvas.text(message, x, baseline, font, theme.muted_text, Align::Center)?;
    Ok(())
}

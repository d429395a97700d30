//! The drawing surface: an RGB buffer that plotters draws into, plus anti-aliased strokes.
//!
//! Plotters' bitmap backend draws text (anti-aliased by ab_glyph), rectangles and polygons
//! well, but its lines and circles are aliased, which makes a 5-pixel trend line look
//! jagged on a retina phone. So the few curved things a chart has (lines, dots) are painted
//! here with a distance-to-segment coverage, straight into the same buffer, between plotters
//! passes. Text is placed by its baseline (plotters' ab_glyph backend puts the baseline half
//! a font size under the anchor, so its "vertically centred" text sits too high) and glyph
//! by glyph, from [`fonts::layout`].

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontDesc;

use super::fonts::{self, FAMILY};
use super::spec::Rgb;

/// A point in pixels, `(0.5, 0.5)` being the centre of the top-left pixel.
pub(crate) type Point = (f64, f64);

type PlotError = DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// A font size and weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    pub size: f64,
    pub bold: bool,
}

impl Font {
    pub fn regular(size: f64) -> Font {
        Font { size, bold: false }
    }

    pub fn bold(size: f64) -> Font {
        Font { size, bold: true }
    }

    fn desc(self) -> FontDesc<'static> {
        let style = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FAMILY), self.size, style)
    }

    /// Height of a capital letter or digit above the baseline (DejaVu Sans: 0.73 em, and
    /// ab_glyph's size is ascent + descent = 1.164 em).
    pub fn cap_height(self) -> f64 {
        self.size * 0.73 / 1.164
    }
}

/// An RGB image being drawn.
pub(crate) struct Canvas {
    pub width: u32,
    pub height: u32,
    background: Rgb,
    rgb: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, background: Rgb) -> anyhow::Result<Canvas> {
        fonts::ensure_registered()?;
        let rgb =
            [background.0, background.1, background.2].repeat(width as usize * height as usize);
        Ok(Canvas {
            width,
            height,
            background,
            rgb,
        })
    }

    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// Runs plotters drawing over the buffer; coordinates are pixels from the top left.
    fn plot<R>(
        &mut self,
        draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<R, PlotError>,
    ) -> anyhow::Result<R> {
        let area = BitMapBackend::with_buffer(&mut self.rgb, (self.width, self.height))
            .into_drawing_area();
        draw(&area).map_err(|e| anyhow!("failed to draw a chart: {e}"))
    }

    /// Fills the rectangle with corners `(x0, y0)` and `(x1, y1)` (both included).
    pub fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, colour: Rgb) -> anyhow::Result<()> {
        if x1 < x0 || y1 < y0 {
            return Ok(());
        }
        self.plot(|a| {
            a.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.plotters().filled(),
            ))
        })
    }

    /// A horizontal dashed line of `thickness` pixels centred on `y`.
    pub fn dashed_hline(
        &mut self,
        x0: i32,
        x1: i32,
        y: i32,
        thickness: i32,
        dash: [i32; 2],
        colour: Rgb,
    ) -> anyhow::Result<()> {
        let top = y - thickness / 2;
        let period = (dash[0] + dash[1]).max(1);
        let mut x = x0;
        while x <= x1 {
            self.rect(
                x,
                top,
                (x + dash[0] - 1).min(x1),
                top + thickness - 1,
                colour,
            )?;
            x += period;
        }
        Ok(())
    }

    /// A filled polygon (aliased: for light fills whose edge a stroke covers).
    pub fn polygon(&mut self, points: Vec<(i32, i32)>, colour: Rgb) -> anyhow::Result<()> {
        self.plot(|a| a.draw(&Polygon::new(points, colour.plotters().filled())))
    }

    /// Draws `text` with its baseline at `baseline`, anchored at `x` per `align`, and
    /// returns its width. Glyphs are placed by [`fonts::layout`] and drawn one by one.
    pub fn text(
        &mut self,
        text: &str,
        x: i32,
        baseline: i32,
        font: Font,
        colour: Rgb,
        align: Align,
    ) -> anyhow::Result<i32> {
        let layout = fonts::layout(text, font.size, font.bold)?;
        let origin = match align {
            Align::Left => x,
            Align::Center => x - layout.width / 2,
            Align::Right => x - layout.width,
        };
        let colour = colour.plotters();
        let style = TextStyle::from(font.desc())
            .color(&colour)
            .pos(Pos::new(HPos::Left, VPos::Top));
        // Plotters puts the baseline half a font size below the anchor.
        let top = baseline - (font.size / 2.0).round() as i32;
        let mut glyph = [0u8; 4];
        self.plot(|a| {
            for (c, dx) in &layout.glyphs {
                a.draw_text(c.encode_utf8(&mut glyph), &style, (origin + dx, top))?;
            }
            Ok(())
        })?;
        Ok(layout.width)
    }

    /// Like [`Canvas::text`], on a box of the background colour, so a line or gridline
    /// under a value label does not cross its digits.
    pub fn text_on(
        &mut self,
        text: &str,
        x: i32,
        baseline: i32,
        font: Font,
        colour: Rgb,
        align: Align,
    ) -> anyhow::Result<i32> {
        let width = text_width(text, font)?;
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2,
            Align::Right => x - width,
        };
        let (above, below) = (
            font.cap_height().round() as i32 + 6,
            (font.size * 0.2).round() as i32 + 4,
        );
        self.rect(
            left - 6,
            baseline - above,
            left + width + 6,
            baseline + below,
            self.background,
        )?;
        self.text(text, x, baseline, font, colour, align)
    }

    /// An anti-aliased polyline of `width` pixels with round joins and caps.
    pub fn polyline(&mut self, points: &[Point], width: f64, colour: Rgb) {
        let r = width / 2.0;
        match points {
            [] => {}
            [p] => self.disc(*p, r, colour),
            _ => {
                let segments: Vec<_> = points.windows(2).map(|w| (w[0], w[1])).collect();
                self.paint(&segments, r, colour);
            }
        }
    }

    /// An anti-aliased filled disc.
    pub fn disc(&mut self, centre: Point, radius: f64, colour: Rgb) {
        self.paint(&[(centre, centre)], radius, colour);
    }

    /// Paints the union of capsules (segments thickened by `r`) with coverage-based
    /// anti-aliasing. The union is taken with `max` in a coverage mask, so overlapping joins
    /// are not painted twice.
    fn paint(&mut self, segments: &[(Point, Point)], r: f64, colour: Rgb) {
        let pad = r + 1.0;
        let (mut lx, mut ly, mut hx, mut hy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (a, b) in segments {
            lx = lx.min(a.0.min(b.0));
            ly = ly.min(a.1.min(b.1));
            hx = hx.max(a.0.max(b.0));
            hy = hy.max(a.1.max(b.1));
        }
        let x0 = ((lx - pad).floor().max(0.0)) as usize;
        let y0 = ((ly - pad).floor().max(0.0)) as usize;
        let x1 = ((hx + pad).ceil().min(self.width as f64 - 1.0)).max(0.0) as usize;
        let y1 = ((hy + pad).ceil().min(self.height as f64 - 1.0)).max(0.0) as usize;
        if x1 < x0 || y1 < y0 {
            return;
        }
        let mw = x1 - x0 + 1;
        let mut mask = vec![0u8; mw * (y1 - y0 + 1)];
        for &(a, b) in segments {
            let sx0 = ((a.0.min(b.0) - pad).floor().max(x0 as f64)) as usize;
            let sy0 = ((a.1.min(b.1) - pad).floor().max(y0 as f64)) as usize;
            let sx1 = ((a.0.max(b.0) + pad).ceil().min(x1 as f64)) as usize;
            let sy1 = ((a.1.max(b.1) + pad).ceil().min(y1 as f64)) as usize;
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len2 = dx * dx + dy * dy;
            for y in sy0..=sy1 {
                let py = y as f64 + 0.5;
                for x in sx0..=sx1 {
                    let px = x as f64 + 0.5;
                    let t = if len2 > 0.0 {
                        (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let (cx, cy) = (a.0 + t * dx - px, a.1 + t * dy - py);
                    let coverage = (r + 0.5 - (cx * cx + cy * cy).sqrt()).clamp(0.0, 1.0);
                    let m = &mut mask[(y - y0) * mw + (x - x0)];
                    *m = (*m).max((coverage * 255.0).round() as u8);
                }
            }
        }
        let width = self.width as usize;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let m = mask[(y - y0) * mw + (x - x0)] as u32;
                if m == 0 {
                    continue;
                }
                let i = (y * width + x) * 3;
                let px = &mut self.rgb[i..i + 3];
                for (c, target) in px.iter_mut().zip([colour.0, colour.1, colour.2]) {
                    *c = ((*c as u32 * (255 - m) + target as u32 * m + 127) / 255) as u8;
                }
            }
        }
    }
}

/// The advance width of `text` in `font`, in pixels.
pub(crate) fn text_width(text: &str, font: Font) -> anyhow::Result<i32> {
    Ok(fonts::layout(text, font.size, font.bold)?.width)
}

/// `text` cut with "…" so it fits in `max_width` pixels.
pub(crate) fn fit(text: &str, font: Font, max_width: i32) -> anyhow::Result<String> {
    if text_width(text, font)? <= max_width {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (0..chars.len()).rev() {
        let candidate: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(&candidate, font)? <= max_width {
            return Ok(candidate);
        }
    }
    Ok("…".into())
}

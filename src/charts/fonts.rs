//! The embedded fonts: registered once with plotters' ab_glyph backend, and laid out here.
//!
//! The bot runs in slim containers without a single system font, so plotters is built with
//! `ab_glyph` (no fontconfig) and DejaVu Sans (from the `dejavu` crate, in the binary) is
//! registered as `sans-serif`, regular and bold. DejaVu covers everything charts print:
//! accented French, `€ £ ×`, the ▲▼ arrows and the narrow no-break space that groups French
//! thousands. A font that fails to parse is an error for every chart, never a text-free image.
//!
//! Plotters 0.3.7 draws a string with each glyph's bounding box at the pen position, ignoring
//! the glyph's left side bearing, so letters drift (`obj ectif`; plotters-rs/plotters#576
//! and neighbours). [`layout`] therefore places each glyph itself, from the same font's
//! advances, kerning and bearings, and the canvas asks plotters to draw one glyph at a time.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, ScaleFont};
use plotters::style::{register_font, FontStyle};

/// The family every chart text uses.
pub(crate) const FAMILY: &str = "sans-serif";

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn faces() -> anyhow::Result<&'static Faces> {
    static FACES: OnceLock<Result<Faces, String>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let load = |style: FontStyle, bytes: &'static [u8]| {
                let invalid = || {
                    format!(
                        "the embedded DejaVu Sans ({}) is not a valid font",
                        style.as_str()
                    )
                };
                register_font(FAMILY, style, bytes).map_err(|_| invalid())?;
                FontRef::try_from_slice(bytes).map_err(|_| invalid())
            };
            Ok(Faces {
                regular: load(FontStyle::Normal, dejavu::sans::regular())?,
                bold: load(FontStyle::Bold, dejavu::sans::bold())?,
            })
        })
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Registers the fonts with plotters on first call; later calls return the first outcome.
pub(crate) fn ensure_registered() -> anyhow::Result<()> {
    faces().map(|_| ())
}

/// A line of text placed glyph by glyph.
pub(crate) struct Layout {
    /// Each visible glyph and where its bounding box starts, in pixels from the pen origin.
    pub glyphs: Vec<(char, i32)>,
    /// The advance width of the whole line.
    pub width: i32,
}

/// Lays out one line of `text` at `size` pixels (plotters' size: ascent + descent).
pub(crate) fn layout(text: &str, size: f64, bold: bool) -> anyhow::Result<Layout> {
    let faces = faces()?;
    let font = if bold { &faces.bold } else { &faces.regular };
    let scaled = font.as_scaled(size as f32);
    let mut glyphs = Vec::with_capacity(text.len());
    let mut pen = 0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            pen += scaled.kern(p, id);
        }
        previous = Some(id);
        if let Some(outline) = font.outline_glyph(id.with_scale(scaled.scale())) {
            glyphs.push((c, (pen + outline.px_bounds().min.x).round() as i32));
        }
        pen += scaled.h_advance(id);
    }
    Ok(Layout {
        glyphs,
        width: pen.round() as i32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_has_every_character_the_charts_print() {
        let faces = faces().unwrap();
        let printed = "€£$×▲▼–…·%\u{a0}\u{202f}éèêàâçôûùïœÉ'";
        for font in [&faces.regular, &faces.bold] {
            let missing: String = printed
                .chars()
                .filter(|c| font.glyph_id(*c).0 == 0)
                .collect();
            assert_eq!(missing, "", "characters DejaVu Sans would draw as boxes");
        }
    }

    #[test]
    fn layout_keeps_bearings_so_letters_do_not_drift() {
        // 'j' starts left of its pen position: its box is placed before the advance.
        let bj = layout("bj", 40.0, false).unwrap();
        let b_advance = layout("b", 40.0, false).unwrap().width;
        assert!(bj.glyphs[1].1 < b_advance, "{:?}", bj.glyphs);
    }
}

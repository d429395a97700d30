//! PNG charts (plotters) from the specs in `charts/`. (Being written.)

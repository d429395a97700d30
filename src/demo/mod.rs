//! The generated demo shop. (Being written.)

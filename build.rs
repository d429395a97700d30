//! Rebuild when an embedded metric file or chart spec changes: `include_dir!` reads them at
//! compile time, but rustc does not report them to cargo as inputs.

fn main() {
    println!("cargo:rerun-if-changed=queries");
    println!("cargo:rerun-if-changed=charts");
    println!("cargo:rerun-if-changed=migrations");
}

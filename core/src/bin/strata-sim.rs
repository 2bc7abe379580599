fn main() { println!("strata-sim: not yet"); }

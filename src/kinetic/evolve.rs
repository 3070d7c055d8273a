//! Time evolution in the flat variable (d = 1 and 2 via the sparse generator).

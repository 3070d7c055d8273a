//! Constants of assumption (A.4).

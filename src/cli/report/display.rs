//! The text of pvdisplay, vgdisplay and lvdisplay.

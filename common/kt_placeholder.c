int kt_placeholder(void); int kt_placeholder(void) { return 0; }

/* A shared object that is not an m3m plugin. */
__attribute__((visibility("default"))) int something_else(void) { return 42; }

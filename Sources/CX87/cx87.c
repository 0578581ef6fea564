#include "cx87.h"
int cx87_present(void) { return 1; }

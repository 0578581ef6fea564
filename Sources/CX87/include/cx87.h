// PLACEHOLDER: host x87 operations (filled in by the FPU work).
#ifndef CX87_H
#define CX87_H
int cx87_present(void);
#endif

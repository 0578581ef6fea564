// The PC chipset devices (PIC, PIT, RTC/CMOS, UART, PS/2, ...), one folder per chip.

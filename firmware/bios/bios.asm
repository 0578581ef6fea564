; Partita PC BIOS: the 128 KiB system ROM, mapped at 0xE0000–0xFFFFF and below 4 GiB.
;
; Build: nasm -f bin -o roms/partita-bios.bin firmware/bios/bios.asm (scripts/build-firmware.sh).
;
; Layout of the image:
;   0x00000 (E000:0000)  E segment: the RSDP slot at 0xE0000 (PlatformLayout.rsdpAddress), the
;                        BIOS32 service directory and 32-bit PCI BIOS entry, and an area POST
;                        fills with the MP configuration table and the SMBIOS structures.
;   0x10000 (F000:0000)  F segment: real-mode code, then the IBM PC/AT compatibility entry points
;                        at their fixed offsets (E05Bh POST, E6F5h configuration table, FFF0h
;                        reset vector, FFFEh model byte ...).
; POST copies the image into shadow RAM (i440FX PAM registers) before it writes any table.

cpu 686
%include "defs.inc"

; Pads to a fixed offset of the current section; nasm refuses a negative TIMES, so code that
; grows past a fixed entry point fails the build instead of moving the entry point.
%macro AT 1
    times (%1) - ($ - $$) db 0
%endmacro

; ---------------------------------------------------------------------------------------------
section eseg start=0 vstart=0xE0000
; ---------------------------------------------------------------------------------------------
rsdp_slot:
    times 0x40 db 0             ; the RSDP (20 bytes, revision 0) is written here during POST

%include "bios32.asm"

    align 16
eseg_tables:                    ; MP configuration table, SMBIOS structure table
    times 0x3000 db 0
eseg_tables_end:

    times 0x10000 - ($ - $$) db 0

; ---------------------------------------------------------------------------------------------
section fseg start=0x10000 vstart=0
; ---------------------------------------------------------------------------------------------
bits 16
fseg_start:
    db "Partita BIOS", 0

%include "post.asm"
%include "util.asm"
%include "handlers.asm"
%include "keyboard.asm"
%include "mouse.asm"
%include "int15.asm"
%include "int1a.asm"
%include "serial.asm"
%include "video.asm"
%include "boot.asm"

    align 16
fseg_tables:                    ; $PIR table, SMBIOS entry point, MP floating pointer
    times 0x200 db 0
fseg_tables_end:

; ----- IBM PC/AT fixed entry points -----------------------------------------------------------
    AT 0xE05B
post_entry:
    jmp post

    AT 0xE2C3
nmi_entry:
    jmp int02_handler

    AT 0xE3FE
int13_fixed:
    jmp int13_handler

    AT 0xE6F2
int19_fixed:
    jmp int19_handler

    AT 0xE6F5
; INT 15h C0h system configuration table: length, model FCh (AT), submodel 01h, revision 0,
; feature byte 1: 0x74 = second 8259 (bit 6), RTC (bit 5), INT 15h 4Fh called by INT 09h (bit 4),
; extended BIOS data area allocated (bit 2); byte 2: 0x40 = INT 16h 09h supported; bytes 3–5 zero.
config_table:
    dw 8
    db 0xFC, 0x01, 0x00, 0x74, 0x40, 0x00, 0x00, 0x00

    AT 0xE729
; Divisors of the 1.8432 MHz UART clock for INT 14h AL bits 7–5: 110 … 9600 baud.
baud_divisors:
    dw 1047, 768, 384, 192, 96, 48, 24, 12

    AT 0xE739
int14_fixed:
    jmp int14_handler

    AT 0xE82E
int16_fixed:
    jmp int16_handler

    AT 0xE987
int09_fixed:
    jmp int09_handler

    AT 0xEC59
int40_fixed:
    jmp int13_handler

    AT 0xEF57
int0e_fixed:
    jmp int0e_handler

    AT 0xEFC7
; INT 1Eh diskette parameter table for a 1.44 MB 3.5" drive: specify bytes (step rate 0xA,
; head unload 0xF; head load 1, DMA), motor-off delay in ticks, 512-byte sectors (2), 18 sectors
; per track, gap length, data length, format gap, fill byte, head settle ms, motor start (1/8 s).
diskette_params:
    db 0xAF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08

    AT 0xEFD2
int17_fixed:
    jmp int17_handler

    AT 0xF065
int10_fixed:
    jmp int10_handler

    AT 0xF0A4
; INT 1Dh video parameter table (6845 CRTC values of the CGA/MDA modes): kept empty of meaning on a
; VGA machine, present because programs follow the vector.
video_params:
    times 0x58 db 0

    AT 0xF841
int12_fixed:
    jmp int12_handler

    AT 0xF84D
int11_fixed:
    jmp int11_handler

    AT 0xF859
int15_fixed:
    jmp int15_handler

    AT 0xFE6E
int1a_fixed:
    jmp int1a_handler

    AT 0xFEA5
int08_fixed:
    jmp int08_handler

    AT 0xFF53
dummy_iret:
    iret

    AT 0xFF54
int05_fixed:
    jmp int05_handler

    AT 0xFFF0
reset_vector:
    jmp 0xF000:post_entry

    AT 0xFFF5
    db "06/01/24"               ; ROM date
    db 0
    AT 0xFFFE
    db 0xFC                     ; model byte: PC/AT class
    db 0x00

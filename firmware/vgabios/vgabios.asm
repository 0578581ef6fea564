; Partita VGA BIOS: a PCI option ROM for the standard VGA (PCI 1234:1111, Bochs DISPI VBE).
;
; Build: scripts/build-firmware.sh (nasm, then the checksum byte is set). Mapped at C0000h; the
; system BIOS's option ROM scan calls offset 3, which hooks INT 10h and sets mode 3.
;
; INT 10h: text modes 0–3 and 7 (shared text code in firmware/bios/video.asm), graphics modes
; 4–6, 0Dh–13h by programming the standard VGA register sets below, pixels (0Ch/0Dh), characters
; in graphics modes, palette/DAC (10h), fonts (11h), alternate select (12h), display
; combination (1Ah), state (1Bh), state save size (1Ch), and VBE 2.0/3.0 (4Fh) on the Bochs
; DISPI registers (index 1CEh, data 1CFh) with the linear frame buffer at PCI BAR0.

cpu 686
bits 16
org 0
%define VIDEO_ROM
%include "../bios/defs.inc"

%define DISPI_INDEX     0x01CE
%define DISPI_DATA      0x01CF
%define DISPI_ID        0
%define DISPI_XRES      1
%define DISPI_YRES      2
%define DISPI_BPP       3
%define DISPI_ENABLE    4
%define DISPI_BANK      5
%define DISPI_VWIDTH    6
%define DISPI_VHEIGHT   7
%define DISPI_XOFF      8
%define DISPI_YOFF      9
%define DISPI_VRAM64K   10
%define DISPI_ENABLED   0x01
%define DISPI_8BIT_DAC  0x20
%define DISPI_LFB       0x40
%define DISPI_NOCLEAR   0x80

rom_start:
    db 0x55, 0xAA
    db (rom_end - rom_start) / 512
    jmp near init
    times 0x18 - ($ - $$) db 0
    dw pcir                               ; PCI data structure
    dw 0                                  ; no PnP header
    times 0x1E - ($ - $$) db 0
    db "IBM"                              ; the signature VGA BIOSes carry at 1Eh

    align 4
; PCI Firmware Specification 3.0 §5.1.2 "PCI Data Structure".
pcir:
    db "PCIR"
    dw 0x1234, 0x1111                     ; vendor, device (the Bochs/QEMU standard VGA)
    dw 0                                  ; no vital product data
    dw 0x18                               ; structure length
    db 0                                  ; revision
    db 0x00, 0x00, 0x03                   ; class code 03 00 00: VGA-compatible controller
    dw (rom_end - rom_start) / 512        ; image length in 512-byte units
    dw 0x0001                             ; code revision
    db 0                                  ; code type: x86 PC-AT
    db 0x80                               ; last image
    dw 0

oem_string: db "Partita VGA BIOS", 0
vendor_string: db "Partita", 0
product_string: db "Partita VGA", 0
revision_string: db "0.1", 0

init:
    pushad
    push ds
    push es
    xor ax, ax
    mov ds, ax
    cli
    mov word [0x10 * 4], int10_handler
    mov [0x10 * 4 + 2], cs
    mov word [0x1F * 4], font8x8 + 128 * 8
    mov [0x1F * 4 + 2], cs
    mov word [0x43 * 4], font8x8
    mov [0x43 * 4 + 2], cs
    sti
    mov byte [BDA_VIDEO_CTL], 0x60
    mov byte [BDA_VIDEO_SWITCHES], 0xF9
    mov byte [BDA_VIDEO_MODESET], 0x51
    mov word [0x4A8], save_pointer_table
    mov [0x4A8 + 2], cs
    ; Equipment word bits 5:4 = 10b: 80x25 colour.
    and byte [BDA_EQUIPMENT], 0xCF
    or byte [BDA_EQUIPMENT], 0x20
    mov ax, 0x0003
    int 0x10
    pop es
    pop ds
    popad
    retf

%include "../bios/video.asm"

; Register frame of the shared INT 10h entry (after vga_dispatch dropped its return address):
%define F_AX bp + 0
%define F_DX bp + 2
%define F_CX bp + 4
%define F_BX bp + 6
%define F_BP bp + 8
%define F_DI bp + 10
%define F_SI bp + 12
%define F_ES bp + 14
%define F_DS bp + 16
%define F_FLAGS bp + 22

; Called first by the INT 10h entry with DS = 0: handles what the text core does not (mode set,
; graphics, palette, fonts, VBE); returns for the rest.
vga_dispatch:
    cmp ah, 0x00
    je .take
    cmp ah, 0x0C
    je .take
    cmp ah, 0x0D
    je .take
    cmp ah, 0x10
    je .take
    cmp ah, 0x11
    je .take
    cmp ah, 0x12
    je .take
    cmp ah, 0x1A
    je .take
    cmp ah, 0x1B
    je .take
    cmp ah, 0x1C
    je .take
    cmp ah, 0x4F
    je .take
    call vga_graphics_mode
    jnc .text
    cmp ah, 0x06
    je .take
    cmp ah, 0x07
    je .take
    cmp ah, 0x08
    je .take
    cmp ah, 0x09
    je .take
    cmp ah, 0x0A
    je .take
    cmp ah, 0x0E
    je .take
.text:
    ret
.take:
    add sp, 2
    mov bp, sp
    movzx si, ah
    cmp si, 0x4F
    jne .table
    jmp vbe_handler
.table:
    shl si, 1
    jmp [cs:vga_functions + si]

vga_functions:
    dw vga_set_mode, vid_return, vid_return, vid_return, vid_return, vid_return
    dw gfx_scroll_up, gfx_scroll_down, gfx_read_char, gfx_write_char_attr, gfx_write_char
    dw vid_return, vga_write_pixel, vga_read_pixel, gfx_teletype, vid_return
    dw vga_palette, vga_font, vga_alternate, vid_return, vid_return, vid_return, vid_return
    dw vid_return, vid_return, vid_return, vga_display_combination, vga_state, vga_save_state

; CF=1 when the current mode is a graphics mode.
vga_graphics_mode:
    push ax
    mov al, [BDA_VIDEO_MODE]
    cmp al, 0x03
    jbe .text
    cmp al, 0x07
    je .text
    cmp al, 0x80
    jae .text                             ; VBE modes answer through 4Fh only
    pop ax
    stc
    ret
.text:
    pop ax
    clc
    ret

%include "modes.asm"
%include "graphics.asm"
%include "palette.asm"
%include "vbe.asm"

    align 16
font8x8:
%include "font8x8.inc"
font8x14:
%include "font8x14.inc"
font8x16:
%include "font8x16.inc"

    align 512, db 0
    times 511 db 0
rom_checksum:
    db 0                                  ; set by scripts/build-firmware.sh: the image sums to 0
rom_end:

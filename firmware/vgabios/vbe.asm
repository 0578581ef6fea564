; VESA BIOS Extension 3.0 (INT 10h AX=4F00h–4F0Ah) on the Bochs DISPI interface: index port
; 1CEh, data port 1CFh (ID B0C0h–B0C5h, X/Y resolution, bits per pixel, enable with LFB and
; no-clear bits, bank, virtual width/height, X/Y offset, video memory in 64 KiB units).
; Status in AX: 004Fh success, 014Fh failure, 024Fh not supported in this hardware configuration.

; VBE modes: number, width, height, bits per pixel.
%macro VMODE 4
    dw %1, %2, %3
    db %4
%endmacro
%define VMODE_SIZE 7
vbe_modes:
    VMODE 0x100,  640,  400,  8
    VMODE 0x101,  640,  480,  8
    VMODE 0x103,  800,  600,  8
    VMODE 0x105, 1024,  768,  8
    VMODE 0x107, 1280, 1024,  8
    VMODE 0x10D,  320,  200, 15
    VMODE 0x10E,  320,  200, 16
    VMODE 0x10F,  320,  200, 24
    VMODE 0x110,  640,  480, 15
    VMODE 0x111,  640,  480, 16
    VMODE 0x112,  640,  480, 24
    VMODE 0x113,  800,  600, 15
    VMODE 0x114,  800,  600, 16
    VMODE 0x115,  800,  600, 24
    VMODE 0x116, 1024,  768, 15
    VMODE 0x117, 1024,  768, 16
    VMODE 0x118, 1024,  768, 24
    VMODE 0x119, 1280, 1024, 15
    VMODE 0x11A, 1280, 1024, 16
    VMODE 0x11B, 1280, 1024, 24
    VMODE 0x140,  320,  200, 32
    VMODE 0x141,  640,  480, 32
    VMODE 0x142,  800,  600, 32
    VMODE 0x143, 1024,  768, 32
    VMODE 0x144, 1280, 1024, 32
    VMODE 0x145, 1600, 1200,  8
    VMODE 0x146, 1600, 1200, 15
    VMODE 0x147, 1600, 1200, 16
    VMODE 0x148, 1600, 1200, 24
    VMODE 0x149, 1600, 1200, 32
    VMODE 0x14A, 1920, 1200,  8
    VMODE 0x14B, 1920, 1200, 15
    VMODE 0x14C, 1920, 1200, 16
    VMODE 0x14D, 1920, 1200, 24
    VMODE 0x14E, 1920, 1200, 32
    VMODE 0x14F, 1280,  720, 32
    VMODE 0x150, 1920, 1080, 32
    dw 0xFFFF

dispi_read:                               ; AX = index → AX = value
    push dx
    mov dx, DISPI_INDEX
    out dx, ax
    inc dx
    in ax, dx
    pop dx
    ret

dispi_write:                              ; AX = index, BX = value
    push dx
    push ax
    mov dx, DISPI_INDEX
    out dx, ax
    inc dx
    mov ax, bx
    out dx, ax
    pop ax
    pop dx
    ret

; CF=1 unless a DISPI interface answers (ID B0C0h–B0CFh).
dispi_present:
    push ax
    mov ax, DISPI_ID
    call dispi_read
    and ax, 0xFFF0
    cmp ax, 0xB0C0
    pop ax
    je .yes
    stc
    ret
.yes:
    clc
    ret

; AX = video memory in 64 KiB units (register 0Ah; 16 MiB if the interface predates it).
dispi_memory:
    mov ax, DISPI_VRAM64K
    call dispi_read
    test ax, ax
    jz .default
    cmp ax, 0xFFFF
    jne .done
.default:
    mov ax, 256
.done:
    ret

; SI → the VBE mode CX (bits 0–8) if it exists and fits in video memory; CF=1 otherwise.
vbe_find_mode:
    push ax
    push bx
    push dx
    and cx, 0x01FF
    mov si, vbe_modes
.next:
    cmp word [cs:si], 0xFFFF
    je .none
    cmp [cs:si], cx
    je .check
    add si, VMODE_SIZE
    jmp .next
.check:
    call vbe_mode_bytes                   ; DX:AX = bytes of one frame
    push ax
    call dispi_memory
    mov bx, ax                            ; 64 KiB units
    pop ax
    add ax, 0xFFFF
    adc dx, 0                             ; round up to 64 KiB
    cmp dx, bx
    ja .none
    pop dx
    pop bx
    pop ax
    clc
    ret
.none:
    pop dx
    pop bx
    pop ax
    stc
    ret

; For the mode at CS:SI: AX = bytes per pixel (1–4), and vbe_mode_bytes: DX:AX = frame bytes.
vbe_bytes_per_pixel:
    movzx ax, byte [cs:si + 6]
    add ax, 7
    shr ax, 3
    ret

vbe_pitch:                                ; AX = bytes per scan line
    push dx
    call vbe_bytes_per_pixel
    mul word [cs:si + 2]
    pop dx
    ret

vbe_mode_bytes:
    call vbe_pitch
    mul word [cs:si + 4]
    ret

vbe_handler:
    call dispi_present
    jc vbe_unsupported
    mov al, [F_AX]
    cmp al, 0x0A
    ja vbe_unsupported
    movzx si, al
    shl si, 1
    jmp [cs:vbe_functions + si]

vbe_functions:
    dw vbe_info, vbe_mode_info, vbe_set_mode, vbe_get_mode, vbe_state, vbe_window
    dw vbe_scanline, vbe_display_start, vbe_dac_format, vbe_palette, vbe_pm_interface

vbe_ok:
    mov word [F_AX], 0x004F
    jmp vid_return
vbe_failed:
    mov word [F_AX], 0x014F
    jmp vid_return
vbe_unsupported:
    mov word [F_AX], 0x024F
    jmp vid_return

; 4F00h: the VbeInfoBlock at ES:DI (512 bytes; "VBE2" asks for VBE 2.0+ fields). The mode list
; goes into the block's reserved area and the strings into its OEM area, as VBE 2.0 wants.
vbe_info:
    mov es, [F_ES]
    mov di, [F_DI]
    mov bx, di
    push di
    xor ax, ax
    mov cx, 256
    rep stosw
    pop di
    mov dword [es:di], 'VESA'
    mov word [es:di + 4], 0x0300
    mov dword [es:di + 10], 1             ; the DAC can be switched to 8 bits
    call dispi_memory
    mov [es:di + 18], ax
    mov word [es:di + 20], 0x0001
    ; Mode list at +34.
    lea ax, [bx + 34]
    mov [es:di + 14], ax
    mov [es:di + 16], es
    lea di, [bx + 34]
    mov si, vbe_modes
.mode:
    mov cx, [cs:si]
    cmp cx, 0xFFFF
    je .modes_done
    push si
    call vbe_find_mode
    pop si
    jc .skip
    mov [es:di], cx
    add di, 2
.skip:
    add si, VMODE_SIZE
    jmp .mode
.modes_done:
    mov word [es:di], 0xFFFF
    ; Strings at +256: OEM, vendor, product, revision.
    lea di, [bx + 256]
    mov si, oem_string
    mov dx, 6
    call .string
    mov si, vendor_string
    mov dx, 22
    call .string
    mov si, product_string
    mov dx, 26
    call .string
    mov si, revision_string
    mov dx, 30
    call .string
    jmp vbe_ok
.string:                                  ; copies CS:SI to ES:DI, stores its far pointer at +DX
    push bx
    add bx, dx
    mov [es:bx], di
    mov [es:bx + 2], es
    pop bx
.char:
    mov al, [cs:si]
    mov [es:di], al
    inc si
    inc di
    test al, al
    jnz .char
    ret

; EAX = the linear frame buffer: BAR0 of PCI 1234:1111 (through the system BIOS's PCI BIOS),
; else E000_0000h, where the Bochs VBE puts it.
vbe_lfb_address:
    push bx
    push cx
    push dx
    push si
    push di
    mov ax, 0xB102
    mov cx, 0x1111
    mov dx, 0x1234
    xor si, si
    int 0x1A
    jc .default
    mov ax, 0xB10A
    mov di, 0x10
    int 0x1A
    jc .default
    mov eax, ecx
    and eax, 0xFFFFFFF0
    jnz .done
.default:
    mov eax, 0xE0000000
.done:
    pop di
    pop si
    pop dx
    pop cx
    pop bx
    ret

; 4F01h: the ModeInfoBlock of mode CX at ES:DI (256 bytes).
vbe_mode_info:
    mov cx, [F_CX]
    call vbe_find_mode
    jc vbe_failed
    mov es, [F_ES]
    mov di, [F_DI]
    push di
    xor ax, ax
    mov cx, 128
    rep stosw
    pop di
    ; Attributes: supported, extended information, colour, graphics, linear frame buffer.
    mov word [es:di], 0x009B
    mov byte [es:di + 2], 0x07            ; window A: exists, readable, writable
    mov word [es:di + 4], 64              ; granularity and size in KiB
    mov word [es:di + 6], 64
    mov word [es:di + 8], 0xA000
    call vbe_pitch
    mov [es:di + 16], ax
    mov [es:di + 50], ax
    mov ax, [cs:si + 2]
    mov [es:di + 18], ax
    mov ax, [cs:si + 4]
    mov [es:di + 20], ax
    mov word [es:di + 22], 0x1008         ; 8x16 character cell
    mov byte [es:di + 24], 1              ; planes
    mov al, [cs:si + 6]
    mov [es:di + 25], al
    mov byte [es:di + 26], 1              ; banks
    mov byte [es:di + 27], 4              ; packed pixel
    cmp al, 8
    je .not_direct
    mov byte [es:di + 27], 6              ; direct colour
.not_direct:
    ; Image pages: whole frames in video memory, minus the visible one (at most 255).
    call dispi_memory
    movzx eax, ax
    shl eax, 16                           ; video memory in bytes
    push eax
    call vbe_mode_bytes                   ; DX:AX = frame bytes
    movzx edx, dx
    shl edx, 16
    movzx ecx, ax
    or ecx, edx
    pop eax
    xor edx, edx
    div ecx
    dec eax
    cmp eax, 255
    jbe .pages
    mov eax, 255
.pages:
    mov [es:di + 29], al
    mov [es:di + 52], al
    mov [es:di + 53], al
.pages_done:
    mov byte [es:di + 30], 1
    ; Colour masks and positions (direct colour modes).
    mov al, [cs:si + 6]
    mov bx, masks15
    cmp al, 15
    je .masks
    mov bx, masks16
    cmp al, 16
    je .masks
    mov bx, masks24
    cmp al, 24
    je .masks
    mov bx, masks32
    cmp al, 32
    jne .no_masks
.masks:
    mov cx, 8
    push si
    mov si, bx
    push di
    add di, 31
.mask:
    mov al, [cs:si]
    mov [es:di], al
    mov [es:di + 23], al                  ; the linear copies at +54
    inc si
    inc di
    loop .mask
    pop di
    pop si
.no_masks:
    call vbe_lfb_address
    mov [es:di + 40], eax
    jmp vbe_ok
masks15: db 5, 10, 5, 5, 5, 0, 1, 15
masks16: db 5, 11, 6, 5, 5, 0, 0, 0
masks24: db 8, 16, 8, 8, 8, 0, 0, 0
masks32: db 8, 16, 8, 8, 8, 0, 8, 24

; 4F02h: BX = mode (bit 14 linear frame buffer, bit 15 keep memory). Modes below 100h are the
; VGA modes of AH=00h.
vbe_set_mode:
    mov bx, [F_BX]
    test bx, 0x3E00
    jnz vbe_failed
    mov cx, bx
    and cx, 0x01FF
    cmp cx, 0x100
    jae .vbe
    mov al, cl
    test bh, 0x80
    jz .vga
    or al, 0x80
.vga:
    mov ah, 0x00
    pusha
    push es
    push ds
    int 0x10                              ; the VGA mode through AH=00h
    pop ds
    pop es
    popa
    jmp vbe_ok
.vbe:
    call vbe_find_mode
    jc vbe_failed
    mov dx, bx                            ; DX = the request
    mov ax, DISPI_ENABLE
    xor bx, bx
    call dispi_write
    mov ax, DISPI_BPP
    movzx bx, byte [cs:si + 6]
    call dispi_write
    mov ax, DISPI_XRES
    mov bx, [cs:si + 2]
    call dispi_write
    mov ax, DISPI_VWIDTH
    call dispi_write
    mov ax, DISPI_YRES
    mov bx, [cs:si + 4]
    call dispi_write
    mov ax, DISPI_BANK
    xor bx, bx
    call dispi_write
    mov ax, DISPI_XOFF
    call dispi_write
    mov ax, DISPI_YOFF
    call dispi_write
    mov bx, DISPI_ENABLED
    test dh, 0x40
    jz .no_lfb
    or bx, DISPI_LFB
.no_lfb:
    test dh, 0x80
    jz .clear
    or bx, DISPI_NOCLEAR
.clear:
    mov ax, DISPI_ENABLE
    call dispi_write
    cmp byte [cs:si + 6], 8
    jne .no_palette
    call vga_load_256_dac
.no_palette:
    mov byte [BDA_VIDEO_MODE], 0xFF       ; not a VGA mode (40:49h)
    jmp vbe_ok

; 4F03h: BX = the current mode (from the DISPI registers, bit 14 with the linear frame buffer).
vbe_get_mode:
    mov ax, DISPI_ENABLE
    call dispi_read
    test al, DISPI_ENABLED
    jz .vga
    mov dx, ax
    mov ax, DISPI_BPP
    call dispi_read
    mov cl, al
    mov ax, DISPI_XRES
    call dispi_read
    mov bx, ax
    mov ax, DISPI_YRES
    call dispi_read
    mov si, vbe_modes
.next:
    cmp word [cs:si], 0xFFFF
    je vbe_failed
    cmp [cs:si + 2], bx
    jne .skip
    cmp [cs:si + 4], ax
    jne .skip
    cmp [cs:si + 6], cl
    je .found
.skip:
    add si, VMODE_SIZE
    jmp .next
.found:
    mov bx, [cs:si]
    test dl, DISPI_LFB
    jz .store
    or bx, 0x4000
.store:
    mov [F_BX], bx
    jmp vbe_ok
.vga:
    movzx bx, byte [BDA_VIDEO_MODE]
    and bl, 0x7F
    mov [F_BX], bx
    jmp vbe_ok

; 4F04h: DL=00h size (BX = 64-byte blocks) for the states in CX (bit 0 hardware, 1 BIOS data,
; 2 DAC, 3 registers): saving covers the DISPI registers and the DAC; DL=01h save, 02h restore
; at ES:BX.
vbe_state:
    mov dl, [F_DX]
    cmp dl, 0
    je .size
    cmp dl, 2
    ja vbe_failed
    mov es, [F_ES]
    mov di, [F_BX]
    mov si, 1
.reg:
    mov ax, si
    cmp dl, 1
    jne .restore_reg
    call dispi_read
    mov [es:di], ax
    jmp .reg_next
.restore_reg:
    cmp si, DISPI_ENABLE
    je .reg_next                          ; enable last
    mov bx, [es:di]
    call dispi_write
.reg_next:
    add di, 2
    inc si
    cmp si, 10
    jb .reg
    cmp dl, 2
    jne .dac
    mov ax, DISPI_ENABLE
    mov bx, [es:di - 2 * 9 + 2 * (DISPI_ENABLE - 1)]
    or bx, DISPI_NOCLEAR
    call dispi_write
.dac:
    mov dx, 0x3C7
    cmp byte [F_DX], 1
    je .dac_start
    inc dx
.dac_start:
    xor al, al
    out dx, al
    mov dx, 0x3C9
    mov cx, 768
.dac_byte:
    cmp byte [F_DX], 1
    jne .dac_write
    in al, dx
    mov [es:di], al
    jmp .dac_next
.dac_write:
    mov al, [es:di]
    out dx, al
.dac_next:
    inc di
    loop .dac_byte
    jmp vbe_ok
.size:
    mov word [F_BX], (18 + 768 + 63) / 64
    jmp vbe_ok

; 4F05h: BH=00h set window DX (64 KiB units), 01h get.
vbe_window:
    cmp byte [F_BX], 0
    jne vbe_failed
    cmp byte [F_BX + 1], 1
    je .get
    ja vbe_failed
    mov ax, DISPI_BANK
    mov bx, [F_DX]
    call dispi_write
    jmp vbe_ok
.get:
    mov ax, DISPI_BANK
    call dispi_read
    mov [F_DX], ax
    jmp vbe_ok

; 4F06h: logical scan line: BL=00h set CX pixels, 01h get, 02h set CX bytes, 03h get maximum.
; Returns BX = bytes per line, CX = pixels per line, DX = lines that fit in video memory.
vbe_scanline:
    mov ax, DISPI_BPP
    call dispi_read
    add ax, 7
    shr ax, 3
    mov si, ax                            ; bytes per pixel
    mov bl, [F_BX]
    mov cx, [F_CX]
    cmp bl, 0
    je .set
    cmp bl, 2
    je .set_bytes
    cmp bl, 3
    je .max
    cmp bl, 1
    jne vbe_failed
    jmp .report
.set_bytes:
    mov ax, cx
    xor dx, dx
    div si
    mov cx, ax
.set:
    mov ax, DISPI_VWIDTH
    mov bx, cx
    call dispi_write
    jmp .report
.max:
    call dispi_memory
    mov dx, ax
    xor ax, ax                            ; DX:AX = memory bytes ÷ 64 KiB … bytes
    ; The widest line: 64 KiB − 1 bytes at most (BX is 16 bits).
    mov ax, 0xFFFF
    xor dx, dx
    div si
    mov bx, ax
    mov ax, DISPI_VWIDTH
    call dispi_write
.report:
    mov ax, DISPI_VWIDTH
    call dispi_read
    mov [F_CX], ax
    mul si
    mov [F_BX], ax
    mov cx, ax                            ; bytes per line
    call dispi_memory
    mov dx, ax
    xor ax, ax                            ; DX:AX = memory in bytes (≤ 4 GiB − 64 KiB)
    cmp dx, cx
    jae .many
    div cx
    jmp .lines
.many:
    mov ax, 0xFFFF
.lines:
    mov [F_DX], ax
    jmp vbe_ok

; 4F07h: display start: BL=00h/80h set (CX = first pixel, DX = first line), 01h get.
vbe_display_start:
    mov bl, [F_BX]
    and bl, 0x7F
    cmp bl, 1
    je .get
    ja vbe_failed
    mov ax, DISPI_XOFF
    mov bx, [F_CX]
    call dispi_write
    mov ax, DISPI_YOFF
    mov bx, [F_DX]
    call dispi_write
    jmp vbe_ok
.get:
    mov ax, DISPI_XOFF
    call dispi_read
    mov [F_CX], ax
    mov ax, DISPI_YOFF
    call dispi_read
    mov [F_DX], ax
    mov byte [F_BX + 1], 0
    jmp vbe_ok

; 4F08h: DAC width: BL=00h set BH bits (6 or 8; returns what was set), 01h get.
vbe_dac_format:
    mov ax, DISPI_ENABLE
    call dispi_read
    mov bx, ax
    cmp byte [F_BX], 1
    je .get
    ja vbe_failed
    and bx, ~DISPI_8BIT_DAC
    cmp byte [F_BX + 1], 8
    jb .six
    or bx, DISPI_8BIT_DAC
.six:
    mov ax, DISPI_ENABLE
    call dispi_write
.get:
    mov ax, DISPI_ENABLE
    call dispi_read
    mov byte [F_BX + 1], 6
    test al, DISPI_8BIT_DAC
    jz .done
    mov byte [F_BX + 1], 8
.done:
    jmp vbe_ok

; 4F09h: palette data: BL=00h/80h set, 01h get; CX entries from DX, ES:DI = blue, green, red,
; reserved bytes per entry (values in the DAC's current width).
vbe_palette:
    mov es, [F_ES]
    mov di, [F_DI]
    mov cx, [F_CX]
    mov al, [F_DX]
    mov bl, [F_BX]
    and bl, 0x7F
    cmp bl, 1
    ja vbe_failed
    mov dx, 0x3C8
    je .get_start
    out dx, al
    inc dx
    jcxz .done
.set:
    mov al, [es:di + 2]
    out dx, al
    mov al, [es:di + 1]
    out dx, al
    mov al, [es:di]
    out dx, al
    add di, 4
    loop .set
    jmp .done
.get_start:
    dec dx
    out dx, al
    add dx, 2
    jcxz .done
.get:
    in al, dx
    mov [es:di + 2], al
    in al, dx
    mov [es:di + 1], al
    in al, dx
    mov [es:di], al
    mov byte [es:di + 3], 0
    add di, 4
    loop .get
.done:
    jmp vbe_ok

; 4F0Ah: the protected-mode interface (BL=00h): ES:DI = the table, CX = its length. The table
; holds the offsets of 32-bit code for 4F05h (set window), 4F07h (set display start) and 4F09h
; (set palette), and of the I/O port list (1CEh, 1CFh, FFFFh, then FFFFh: no memory).
vbe_pm_interface:
    cmp byte [F_BX], 0
    jne vbe_failed
    mov word [F_ES], 0xC000
    mov word [F_DI], pm_table
    mov word [F_CX], pm_table_end - pm_table
    jmp vbe_ok

pm_table:
    dw pm_set_window - pm_table
    dw pm_set_display_start - pm_table
    dw pm_set_palette - pm_table
    dw pm_ports - pm_table
pm_ports:
    dw DISPI_INDEX, DISPI_DATA, 0xFFFF, 0xFFFF
bits 32
; BX = 0, DX = window (64 KiB units).
pm_set_window:
    push eax
    push edx
    push edx
    mov dx, DISPI_INDEX
    mov ax, DISPI_BANK
    out dx, ax
    inc dx
    pop eax
    out dx, ax
    pop edx
    pop eax
    ret
; BL = 00h/80h, CX:DX = the display start as a byte offset (VBE 2.0 form): split by the pitch.
pm_set_display_start:
    push eax
    push ebx
    push ecx
    push edx
    mov eax, ecx
    shl eax, 16
    mov ax, dx                            ; EAX = byte offset
    push eax
    mov dx, DISPI_INDEX
    mov ax, DISPI_VWIDTH
    out dx, ax
    inc dx
    in ax, dx
    movzx ebx, ax
    dec dx
    mov ax, DISPI_BPP
    out dx, ax
    inc dx
    in ax, dx
    add ax, 7
    shr ax, 3
    movzx eax, ax
    imul ebx, eax                         ; pitch in bytes
    mov ecx, eax                          ; bytes per pixel
    pop eax
    xor edx, edx
    div ebx                               ; EAX = line, EDX = byte in the line
    push eax
    mov eax, edx
    xor edx, edx
    div ecx                               ; EAX = pixel
    mov dx, DISPI_INDEX
    push eax
    mov ax, DISPI_XOFF
    out dx, ax
    inc dx
    pop eax
    out dx, ax
    dec dx
    mov ax, DISPI_YOFF
    out dx, ax
    inc dx
    pop eax
    out dx, ax
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret
; BL = 00h/80h, ECX = entries, EDX = first, ES:EDI = blue, green, red, reserved per entry.
pm_set_palette:
    push eax
    push ecx
    push edx
    push edi
    mov al, dl
    mov dx, 0x3C8
    out dx, al
    inc dx
    jecxz .done
.entry:
    mov al, [es:edi + 2]
    out dx, al
    mov al, [es:edi + 1]
    out dx, al
    mov al, [es:edi]
    out dx, al
    add edi, 4
    loop .entry
.done:
    pop edi
    pop edx
    pop ecx
    pop eax
    ret
bits 16
pm_table_end:

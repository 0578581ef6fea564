; INT 10h AH=10h (palette and DAC), 11h (fonts), 12h (alternate select), 1Ah, 1Bh, 1Ch.

; Attribute controller access: AL = index | 20h (display stays on), AH = value.
vga_ac_write:
    push dx
    push ax
    mov dx, [BDA_CRTC_BASE]
    add dx, 6
    in al, dx                             ; reset the index/data flip-flop
    mov dx, 0x3C0
    pop ax
    push ax
    or al, 0x20
    out dx, al
    mov al, ah
    out dx, al
    pop ax
    pop dx
    ret

vga_ac_read:                              ; AL = index → AH = value (AL kept)
    push dx
    push bx
    mov bl, al
    mov dx, [BDA_CRTC_BASE]
    add dx, 6
    in al, dx
    mov dx, 0x3C0
    mov al, bl
    or al, 0x20
    out dx, al
    inc dx
    in al, dx
    mov ah, al
    mov dx, [BDA_CRTC_BASE]
    add dx, 6
    push ax
    in al, dx                             ; back to index state
    pop ax
    mov al, bl
    pop bx
    pop dx
    ret

vga_palette:
    mov al, [F_AX]
    mov bx, [F_BX]
    mov cx, [F_CX]
    mov dx, [F_DX]
    cmp al, 0x00
    je .set_register
    cmp al, 0x01
    je .set_overscan
    cmp al, 0x02
    je .set_all
    cmp al, 0x03
    je .blink
    cmp al, 0x07
    je .get_register
    cmp al, 0x08
    je .get_overscan
    cmp al, 0x09
    je .get_all
    cmp al, 0x10
    je .set_dac
    cmp al, 0x12
    je .set_dac_block
    cmp al, 0x15
    je .get_dac
    cmp al, 0x17
    je .get_dac_block
    cmp al, 0x18
    je .set_mask
    cmp al, 0x19
    je .get_mask
    cmp al, 0x1B
    je .grey
    jmp vid_return
.set_register:                            ; BL = register, BH = value
    mov al, bl
    and al, 0x1F
    mov ah, bh
    call vga_ac_write
    jmp vid_return
.set_overscan:
    mov al, 0x11
    mov ah, bh
    call vga_ac_write
    jmp vid_return
.set_all:                                 ; ES:DX = 16 registers + overscan
    mov es, [F_ES]
    mov si, dx
    xor al, al
.all:
    mov ah, [es:si]
    call vga_ac_write
    inc si
    inc al
    cmp al, 16
    jb .all
    mov al, 0x11
    mov ah, [es:si]
    call vga_ac_write
    jmp vid_return
.blink:                                   ; BL = 0 intensity, 1 blink (AC mode control bit 3)
    mov al, 0x10
    call vga_ac_read
    and ah, 0xF7
    test bl, 1
    jz .blink_set
    or ah, 0x08
.blink_set:
    call vga_ac_write
    jmp vid_return
.get_register:
    mov al, bl
    and al, 0x1F
    call vga_ac_read
    mov [F_BX + 1], ah
    jmp vid_return
.get_overscan:
    mov al, 0x11
    call vga_ac_read
    mov [F_BX + 1], ah
    jmp vid_return
.get_all:
    mov es, [F_ES]
    mov di, dx
    xor al, al
.get:
    call vga_ac_read
    mov [es:di], ah
    inc di
    inc al
    cmp al, 16
    jb .get
    mov al, 0x11
    call vga_ac_read
    mov [es:di], ah
    jmp vid_return
.set_dac:                                 ; BX = register, DH red, CH green, CL blue
    mov al, bl
    mov dx, 0x3C8
    out dx, al
    inc dx
    mov al, [F_DX + 1]
    out dx, al
    mov al, ch
    out dx, al
    mov al, cl
    out dx, al
    jmp vid_return
.set_dac_block:                           ; BX = first, CX = count, ES:DX = RGB triplets
    mov es, [F_ES]
    mov si, dx
    mov al, bl
    mov dx, 0x3C8
    out dx, al
    inc dx
    imul cx, cx, 3
    jcxz .done
.put:
    mov al, [es:si]
    out dx, al
    inc si
    loop .put
.done:
    jmp vid_return
.get_dac:
    mov al, bl
    mov dx, 0x3C7
    out dx, al
    add dx, 2
    in al, dx
    mov [F_DX + 1], al
    in al, dx
    mov [F_CX + 1], al
    in al, dx
    mov [F_CX], al
    jmp vid_return
.get_dac_block:
    mov es, [F_ES]
    mov di, dx
    mov al, bl
    mov dx, 0x3C7
    out dx, al
    add dx, 2
    imul cx, cx, 3
    jcxz .done
.get_one:
    in al, dx
    mov [es:di], al
    inc di
    loop .get_one
    jmp vid_return
.set_mask:
    mov dx, 0x3C6
    mov al, bl
    out dx, al
    jmp vid_return
.get_mask:
    mov dx, 0x3C6
    in al, dx
    mov [F_BX], al
    jmp vid_return
.grey:                                    ; BX = first, CX = count: 30% R + 59% G + 11% B
    jcxz .done
.grey_one:
    mov dx, 0x3C7
    mov al, bl
    out dx, al
    add dx, 2
    in al, dx
    mov ah, 77
    mul ah
    mov si, ax
    in al, dx
    mov ah, 151
    mul ah
    add si, ax
    in al, dx
    mov ah, 28
    mul ah
    add ax, si
    add ax, 0x80
    mov al, ah                            ; ÷ 256
    mov dx, 0x3C8
    push ax
    mov al, bl
    out dx, al
    pop ax
    inc dx
    out dx, al
    out dx, al
    out dx, al
    inc bx
    loop .grey_one
    jmp vid_return

; AH=11h: character generator.
vga_font:
    mov al, [F_AX]
    cmp al, 0x30
    je .info
    mov ah, al
    and ah, 0x0F
    cmp al, 0x20
    jae .graphics_font
    ; 00h/10h user font ES:BP (BH bytes, CX chars from DX, block BL); 01h/11h 8x14, 02h/12h 8x8,
    ; 04h/14h 8x16 ROM fonts into block BL. The 1xh forms also set the character height.
    mov bl, [F_BX]
    cmp ah, 0x00
    je .user
    cmp ah, 0x03
    je .block_select
    mov bh, 14
    mov si, font8x14
    cmp ah, 0x01
    je .rom
    mov bh, 8
    mov si, font8x8
    cmp ah, 0x02
    je .rom
    mov bh, 16
    mov si, font8x16
    cmp ah, 0x04
    je .rom
    jmp vid_return
.rom:
    mov cx, 256
    xor dx, dx
    call vga_load_font
    jmp .maybe_height
.user:
    ; The font is in the caller's ES:BP: copy through a far pointer.
    mov bh, [F_BX + 1]
    mov cx, [F_CX]
    mov dx, [F_DX]
    push ds
    mov es, [F_ES]
    mov si, [F_BP]
    call vga_load_user_font
    pop ds
.maybe_height:
    test byte [F_AX], 0x10
    jz vid_return
    ; Character height BH: CRTC 09h (max scan line), rows, cursor, page size.
    mov [BDA_CHAR_HEIGHT], bh
    mov dx, [BDA_CRTC_BASE]
    mov al, 0x09
    out dx, al
    inc dx
    in al, dx
    and al, 0xE0
    mov ah, bh
    dec ah
    or al, ah
    out dx, al
    dec dx
    ; Rows = vertical display end / height.
    mov ax, 400
    movzx cx, bh
    xor dx, dx
    div cx
    dec al
    mov [BDA_VIDEO_ROWS], al
    mov ch, bh
    sub ch, 3
    mov cl, bh
    dec cl
    call vid_shape
    jmp vid_return
.block_select:
    mov al, 0x03
    mov ah, bl
    mov dx, 0x3C4
    out dx, ax
    jmp vid_return
.graphics_font:
    ; 20h: INT 1Fh = ES:BP; 21h: INT 43h = ES:BP, CX = height; 22h/23h/24h: INT 43h = ROM 8x14,
    ; 8x8, 8x16 font. BL = row specifier (ignored beyond the height).
    cmp al, 0x20
    jne .not20
    mov ax, [F_BP]
    mov [0x1F * 4], ax
    mov ax, [F_ES]
    mov [0x1F * 4 + 2], ax
    jmp vid_return
.not20:
    mov si, [F_BP]
    mov di, [F_ES]
    mov cl, [F_CX]
    cmp al, 0x21
    je .set43
    mov di, cs
    mov si, font8x14
    mov cl, 14
    cmp al, 0x22
    je .set43
    mov si, font8x8
    mov cl, 8
    cmp al, 0x23
    je .set43
    mov si, font8x16
    mov cl, 16
    cmp al, 0x24
    jne vid_return
.set43:
    mov [0x43 * 4], si
    mov [0x43 * 4 + 2], di
    mov [BDA_CHAR_HEIGHT], cl
    jmp vid_return
.info:
    ; 1130h: ES:BP = font BH (0 INT 1Fh, 1 INT 43h, 2 8x14, 3 8x8, 4 8x8 upper half, 5 9x14
    ; alternates (none: the 8x14 font), 6 8x16, 7 9x16 alternates (the 8x16 font)); CX = the
    ; character height, DL = rows - 1.
    mov bh, [F_BX + 1]
    mov ax, cs
    cmp bh, 0
    jne .i1
    mov si, [0x1F * 4]
    mov ax, [0x1F * 4 + 2]
    jmp .info_done
.i1:
    cmp bh, 1
    jne .i2
    mov si, [0x43 * 4]
    mov ax, [0x43 * 4 + 2]
    jmp .info_done
.i2:
    mov si, font8x14
    cmp bh, 2
    je .info_done
    cmp bh, 5
    je .info_done
    mov si, font8x8
    cmp bh, 3
    je .info_done
    mov si, font8x8 + 128 * 8
    cmp bh, 4
    je .info_done
    mov si, font8x16
.info_done:
    mov [F_BP], si
    mov [F_ES], ax
    movzx cx, byte [BDA_CHAR_HEIGHT]
    mov [F_CX], cx
    mov al, [BDA_VIDEO_ROWS]
    mov [F_DX], al
    jmp vid_return

; vga_load_font for a font at ES:SI (the caller's).
vga_load_user_font:
    push ax
    push bx
    push cx
    push di
    push es
    push si
    ; Copy the glyphs 32 at a time through a buffer on the stack would be slow; instead map
    ; plane 2 and copy directly with DS = the caller's segment.
    push dx
    mov dx, 0x3C4
    mov ax, 0x0402
    out dx, ax
    mov ax, 0x0704
    out dx, ax
    mov dx, 0x3CE
    mov ax, 0x0204
    out dx, ax
    mov ax, 0x0005
    out dx, ax
    mov ax, 0x0406
    out dx, ax
    pop dx
    movzx di, bl
    and di, 3
    shl di, 14
    shl dx, 5
    add di, dx
    push es
    pop ds                                ; DS:SI = the caller's font
    mov ax, 0xA000
    mov es, ax
.char:
    push cx
    push di
    movzx cx, bh
    rep movsb
    pop di
    pop cx
    add di, 32
    loop .char
    xor ax, ax
    mov ds, ax
    mov dx, 0x3C4
    mov ax, 0x0302
    out dx, ax
    mov ax, 0x0204
    out dx, ax
    mov dx, 0x3CE
    mov ax, 0x0004
    out dx, ax
    mov ax, 0x1005
    out dx, ax
    mov ax, 0x0E06
    cmp word [BDA_CRTC_BASE], 0x3B4
    jne .colour
    mov ax, 0x0A06
.colour:
    out dx, ax
    pop si
    pop es
    pop di
    pop cx
    pop bx
    pop ax
    ret

; AH=12h alternate select.
vga_alternate:
    mov bl, [F_BX]
    cmp bl, 0x10
    je .ega_info
    cmp bl, 0x30
    je .ok
    cmp bl, 0x31
    je .ok
    cmp bl, 0x32
    je .ok
    cmp bl, 0x33
    je .ok
    cmp bl, 0x34
    je .ok
    cmp bl, 0x35
    je .ok
    cmp bl, 0x36
    je .ok
    jmp vid_return
.ega_info:
    ; BH = 0 colour (1 mono), BL = 3 (256 KiB), CH = feature bits, CL = switch settings.
    xor bh, bh
    cmp word [BDA_CRTC_BASE], 0x3B4
    jne .colour
    inc bh
.colour:
    mov bl, 3
    mov [F_BX], bx
    mov al, [BDA_VIDEO_SWITCHES]
    and al, 0x0F
    mov [F_CX], al
    mov byte [F_CX + 1], 0
    jmp vid_return
.ok:
    mov byte [F_AX], 0x12                 ; function supported
    jmp vid_return

; AH=1Ah display combination: AL=00h read → AL = 1Ah, BL = 08h (VGA, colour), BH = 0.
vga_display_combination:
    cmp byte [F_AX], 0x01
    ja vid_return
    je .set
    mov byte [F_AX], 0x1A
    mov word [F_BX], 0x0008
    cmp word [BDA_CRTC_BASE], 0x3B4
    jne vid_return
    mov word [F_BX], 0x0007
    jmp vid_return
.set:
    mov byte [F_AX], 0x1A
    jmp vid_return

; AH=1Bh functionality/state: 64 bytes at ES:DI (BX = 0): the static table pointer, then the
; BIOS's video data (mode, columns, page size and start, cursors, shape, page, CRTC, mode and
; palette registers, rows, character height, display combination, colours, pages, scan lines).
vga_state:
    cmp word [F_BX], 0
    jne vid_return
    mov es, [F_ES]
    mov di, [F_DI]
    mov ax, static_functionality
    stosw
    mov ax, cs
    stosw
    mov si, BDA_VIDEO_MODE
    mov cx, 0x1E
.copy:
    mov al, [si]
    stosb
    inc si
    loop .copy
    mov al, [BDA_VIDEO_ROWS]
    inc al
    stosb
    mov ax, [BDA_CHAR_HEIGHT]
    stosw
    mov ax, 0x0008                        ; active / inactive display codes
    stosw
    mov ax, 16                            ; colours in the current mode
    cmp byte [BDA_VIDEO_MODE], 0x13
    jne .not256
    mov ax, 256
.not256:
    stosw
    mov al, 8                             ; pages
    stosb
    mov al, 2                             ; 400 scan lines
    stosb
    xor al, al
    mov cx, 64 - 0x2B
    rep stosb
    mov byte [F_AX], 0x1B
    jmp vid_return

; The static functionality table (INT 10h 1Bh): modes 00h–13h supported (bytes 0–2), scan lines
; 200/350/400, character blocks, maximum blocks, misc functions.
static_functionality:
    db 0xFF, 0xE0, 0x0F, 0, 0, 0, 0, 0x07, 0x02, 0x08, 0xFF, 0x0E, 0, 0, 0x3F, 0

; AH=1Ch save/restore state: AL=00h reports the buffer size in 64-byte blocks (hardware, BIOS
; data, DAC); saving and restoring are not implemented (CF-style failure: AL != 1Ch).
vga_save_state:
    cmp byte [F_AX], 0x00
    jne vid_return
    mov word [F_BX], 13
    mov byte [F_AX], 0x1C
    jmp vid_return

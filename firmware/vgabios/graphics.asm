; Graphics modes: pixels (INT 10h 0Ch/0Dh) and characters drawn from the font.

; SI → the mode list entry of the current mode.
vga_current_mode:
    push ax
    mov al, [BDA_VIDEO_MODE]
    call vga_find_mode
    pop ax
    ret

; Writes pixel (CX, DX) in colour AL (bit 7: XOR) on page BH. DS = 0.
vga_put_pixel:
    push ax
    push bx
    push cx
    push dx
    push si
    push di
    push es
    mov ah, al
    call vga_current_mode
    jc .done
    mov es, [cs:si + 2]
    mov bl, [cs:si + 1]
    cmp bl, K_LINEAR
    je .linear
    cmp bl, K_PLANAR
    je .planar
    ; CGA: line y at (y & 1) × 2000h + (y >> 1) × 80.
    mov di, dx
    shr di, 1
    imul di, di, 80
    test dl, 1
    jz .even
    add di, 0x2000
.even:
    cmp bl, K_CGA1
    je .cga1
    mov si, cx
    shr si, 2
    add di, si
    and cl, 3
    xor cl, 3
    shl cl, 1                             ; shift = (3 - x & 3) × 2
    mov al, ah
    and al, 3
    shl al, cl
    mov bl, 3
    shl bl, cl
    jmp .merge
.cga1:
    mov si, cx
    shr si, 3
    add di, si
    and cl, 7
    xor cl, 7
    mov al, ah
    and al, 1
    shl al, cl
    mov bl, 1
    shl bl, cl
.merge:
    test ah, 0x80
    jnz .xor
    not bl
    and [es:di], bl
    or [es:di], al
    jmp .done
.xor:
    xor [es:di], al
    jmp .done
.linear:
    imul di, dx, 320
    add di, cx
    mov [es:di], ah
    jmp .done
.planar:
    ; Offset y × bytes per line + x / 8 + page × page size; write mode 2 with the bit mask.
    movzx di, byte [BDA_VIDEO_COLS]
    imul di, dx
    mov si, cx
    shr si, 3
    add di, si
    movzx si, bh
    imul si, [BDA_VIDEO_PAGESIZE]
    add di, si
    and cl, 7
    mov bl, 0x80
    shr bl, cl
    mov dx, 0x3CE
    mov al, 0x08
    out dx, al
    inc dx
    mov al, bl
    out dx, al
    dec dx
    mov al, 0x03
    out dx, al
    inc dx
    mov al, 0x00
    test ah, 0x80
    jz .no_xor
    mov al, 0x18
.no_xor:
    out dx, al
    dec dx
    mov ch, ah                            ; the colour (AH is about to be overwritten)
    mov ax, 0x0205                        ; write mode 2
    out dx, ax
    mov al, [es:di]                       ; load the latches
    mov al, ch
    and al, 0x0F
    mov [es:di], al
    mov ax, 0x0005
    out dx, ax
    mov ax, 0x0003
    out dx, ax
    mov ax, 0xFF08
    out dx, ax
.done:
    pop es
    pop di
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    ret

; AL = colour of pixel (CX, DX) on page BH.
vga_get_pixel:
    push bx
    push cx
    push dx
    push si
    push di
    push es
    call vga_current_mode
    mov al, 0
    jc .done
    mov es, [cs:si + 2]
    mov bl, [cs:si + 1]
    cmp bl, K_LINEAR
    je .linear
    cmp bl, K_PLANAR
    je .planar
    mov di, dx
    shr di, 1
    imul di, di, 80
    test dl, 1
    jz .even
    add di, 0x2000
.even:
    cmp bl, K_CGA1
    je .cga1
    mov si, cx
    shr si, 2
    add di, si
    and cl, 3
    xor cl, 3
    shl cl, 1
    mov al, [es:di]
    shr al, cl
    and al, 3
    jmp .done
.cga1:
    mov si, cx
    shr si, 3
    add di, si
    and cl, 7
    xor cl, 7
    mov al, [es:di]
    shr al, cl
    and al, 1
    jmp .done
.linear:
    imul di, dx, 320
    add di, cx
    mov al, [es:di]
    jmp .done
.planar:
    movzx di, byte [BDA_VIDEO_COLS]
    imul di, dx
    mov si, cx
    shr si, 3
    add di, si
    movzx si, bh
    imul si, [BDA_VIDEO_PAGESIZE]
    add di, si
    and cl, 7
    mov ch, 0x80
    shr ch, cl
    xor bl, bl                            ; colour
    mov dx, 0x3CE
    mov ah, 3                             ; planes 3 … 0
.plane:
    mov al, 0x04
    out dx, al
    inc dx
    mov al, ah
    out dx, al
    dec dx
    shl bl, 1
    test [es:di], ch
    jz .zero
    or bl, 1
.zero:
    dec ah
    jns .plane
    mov ax, 0x0004
    out dx, ax
    mov al, bl
.done:
    pop es
    pop di
    pop si
    pop dx
    pop cx
    pop bx
    ret

vga_write_pixel:
    mov al, [F_AX]
    mov bh, [F_BX + 1]
    call vga_put_pixel
    jmp vid_return

vga_read_pixel:
    mov bh, [F_BX + 1]
    call vga_get_pixel
    mov [F_AX], al
    jmp vid_return

; Draws character AL at text row DH, column DL in colour BL (bit 7: XOR) with background 0,
; on page BH.
gfx_draw_char:
    pusha
    push es
    movzx bp, dl
    shl bp, 3                             ; first pixel column
    movzx cx, byte [BDA_CHAR_HEIGHT]
    movzx si, al
    imul si, cx
    push si
    mov al, cl
    call vga_font_for_height
    pop ax
    add si, ax                            ; CS:SI = the glyph
    movzx ax, dh
    mul cx
    mov dx, ax                            ; first pixel row
.row:
    mov ah, [cs:si]
    inc si
    push cx
    mov cx, bp
    mov di, 8
.pixel:
    mov al, bl
    shl ah, 1
    jc .on
    mov al, 0
    test bl, 0x80
    jnz .skip                             ; XOR with 0 changes nothing
.on:
    call vga_put_pixel
.skip:
    inc cx
    dec di
    jnz .pixel
    pop cx
    inc dx
    loop .row
    pop es
    popa
    ret

gfx_write_char_attr:
gfx_write_char:
    ; AL = character, BL = colour, CX = count at page BH's cursor.
    movzx si, byte [F_BX + 1]
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    mov cx, [F_CX]
    mov al, [F_AX]
    mov bl, [F_BX]
    mov bh, [F_BX + 1]
    jcxz .done
.next:
    call gfx_draw_char
    inc dl
    cmp dl, [BDA_VIDEO_COLS]
    jb .same_row
    xor dl, dl
    inc dh
.same_row:
    loop .next
.done:
    jmp vid_return

gfx_teletype:
    mov al, [F_AX]
    mov bl, [F_BX]
    mov bh, [BDA_VIDEO_PAGE]
    movzx si, bh
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    cmp al, 0x07
    je .done
    cmp al, 0x08
    je .backspace
    cmp al, 0x0A
    je .linefeed
    cmp al, 0x0D
    je .cr
    call gfx_draw_char
    inc dl
    cmp dl, [BDA_VIDEO_COLS]
    jb .move
    xor dl, dl
.linefeed:
    inc dh
    cmp dh, [BDA_VIDEO_ROWS]
    jbe .move
    mov dh, [BDA_VIDEO_ROWS]
    push dx
    mov al, 1
    xor cx, cx
    mov dl, [BDA_VIDEO_COLS]
    dec dl
    xor bh, bh
    call gfx_scroll_core
    pop dx
    jmp .move
.backspace:
    test dl, dl
    jz .move
    dec dl
    jmp .move
.cr:
    xor dl, dl
.move:
    mov bh, [BDA_VIDEO_PAGE]
    call vid_cursor_to
.done:
    jmp vid_return

gfx_read_char:
    ; Reads the cell's pixels and looks the pattern up in the font (AL = 0 when none matches).
    push bp
    movzx si, byte [F_BX + 1]
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    mov bh, [F_BX + 1]
    movzx cx, byte [BDA_CHAR_HEIGHT]
    sub sp, 16
    mov di, sp
    movzx ax, dl
    shl ax, 3
    mov bp, ax                            ; pixel column
    movzx ax, dh
    mul cx
    mov dx, ax                            ; pixel row
    xor si, si
.row:
    xor ah, ah
    push cx
    push dx
    mov cx, bp
.px:
    push ax
    call vga_get_pixel
    test al, al
    pop ax
    jz .zero
    stc
    jmp .shift
.zero:
    clc
.shift:
    rcl ah, 1
    inc cx
    push ax
    mov ax, bp
    add ax, 8
    cmp cx, ax
    pop ax
    jb .px
    pop dx
    pop cx
    push di
    add di, si
    mov [ss:di], ah
    pop di
    inc dx
    inc si
    cmp si, cx
    jb .row
    mov al, cl
    push di
    call vga_font_for_height
    pop di
    xor bx, bx
.glyph:
    push si
    push di
    push cx
.cmp:
    mov al, [cs:si]
    cmp al, [ss:di]
    jne .differ
    inc si
    inc di
    loop .cmp
    pop cx
    pop di
    pop si
    jmp .found
.differ:
    pop cx
    pop di
    pop si
    add si, cx
    inc bx
    cmp bx, 256
    jb .glyph
    xor bx, bx
.found:
    add sp, 16
    pop bp
    mov [F_AX], bl
    mov byte [F_AX + 1], 0
    jmp vid_return

gfx_scroll_up:
    mov al, [F_AX]
    mov bh, [F_BX + 1]
    mov cx, [F_CX]
    mov dx, [F_DX]
    call gfx_scroll_core
    jmp vid_return

; Scrolling down in graphics modes moves whole text rows the other way.
gfx_scroll_down:
    mov al, [F_AX]
    mov bh, [F_BX + 1]
    mov cx, [F_CX]
    mov dx, [F_DX]
    or al, 0x80                           ; direction flag for the core
    call gfx_scroll_core
    jmp vid_return

; Scrolls text rows CH…DH (whole pixel rows, columns CL…DL) by AL & 7Fh rows (0: clear), up,
; or down when AL bit 7 is set; new rows take colour BH. Pixel by pixel, so it works in every
; graphics mode.
gfx_scroll_core:
    pusha
    mov bp, sp                            ; pusha frame: BH at bp+9, DL at bp+10, CL at bp+12
    sub sp, 2                             ; [bp-2]: the direction (AL bit 7)
    movzx si, byte [BDA_CHAR_HEIGHT]
    mov [bp - 2], al
    and al, 0x7F
    mov bl, dh
    sub bl, ch
    inc bl                                ; rows in the window
    cmp al, 0
    je .all
    cmp al, bl
    jb .count_ok
.all:
    mov al, bl
.count_ok:
    movzx di, ch
    imul di, si                           ; top pixel row
    movzx bx, dh
    inc bx
    imul bx, si
    dec bx                                ; bottom pixel row
    movzx ax, al
    imul si, ax                           ; shift in pixel rows
    test byte [bp - 2], 0x80
    jnz .down
    mov dx, di
.up_row:
    cmp dx, bx
    ja .end
    mov ax, dx
    add ax, si
    cmp ax, bx
    ja .blank_up
    call gfx_copy_pixel_row               ; row AX → row DX
    jmp .up_next
.blank_up:
    call gfx_blank_pixel_row
.up_next:
    inc dx
    jmp .up_row
.down:
    mov dx, bx
.down_row:
    cmp dx, di
    jl .end
    mov ax, dx
    sub ax, si
    cmp ax, di
    jl .blank_down
    call gfx_copy_pixel_row
    jmp .down_next
.blank_down:
    call gfx_blank_pixel_row
.down_next:
    dec dx
    jmp .down_row
.end:
    mov sp, bp
    popa
    ret

; Copies pixel row AX to row DX between text columns CL…DL of the saved frame (BP).
gfx_copy_pixel_row:
    pusha
    mov di, dx
    mov si, ax
    movzx cx, byte [bp + 12]              ; CL of the pusha frame of gfx_scroll_core
    shl cx, 3
    movzx bx, byte [bp + 10]              ; DL
    inc bx
    shl bx, 3
.px:
    push bx
    mov dx, si
    mov bh, [BDA_VIDEO_PAGE]
    call vga_get_pixel
    mov dx, di
    call vga_put_pixel
    pop bx
    inc cx
    cmp cx, bx
    jb .px
    popa
    ret

; Fills pixel row DX between the window's columns with the colour in the frame's BH.
gfx_blank_pixel_row:
    pusha
    movzx cx, byte [bp + 12]
    shl cx, 3
    movzx bx, byte [bp + 10]
    inc bx
    shl bx, 3
    mov al, [bp + 9]                      ; BH of the pusha frame
    and al, 0x7F
.px:
    push bx
    mov bh, [BDA_VIDEO_PAGE]
    call vga_put_pixel
    pop bx
    inc cx
    cmp cx, bx
    jb .px
    popa
    ret

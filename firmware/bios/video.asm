; INT 10h of the system BIOS: a colour text console at B800:0000 (80x25, CRTC at 3D4h) for machines
; whose video card brings no BIOS of its own. A video option ROM at C0000h replaces this vector
; during POST (it is the real video BIOS); this one keeps the BIOS's messages visible otherwise.
; Functions: 00h set mode (text modes 0–3), 01h cursor shape, 02h/03h cursor position, 05h page,
; 06h/07h scroll, 08h read character, 09h/0Ah write character, 0Eh teletype, 0Fh get mode,
; 13h write string. Eight pages of 4000 bytes (80x25) as on the CGA.

int10_handler:
    sti
    cld
    push ds
    push es
    push si
    push di
    push bp
    push bx
    push cx
    push dx
    push ax
    xor si, si
    mov ds, si
%ifdef VIDEO_ROM
    call vga_dispatch                     ; the video ROM's own functions (returns if not one)
%endif
    cmp ah, 0x00
    je vid_set_mode
    cmp ah, 0x01
    je vid_cursor_shape
    cmp ah, 0x02
    je vid_set_cursor
    cmp ah, 0x03
    je vid_get_cursor
    cmp ah, 0x05
    je vid_set_page
    cmp ah, 0x06
    je vid_scroll_up
    cmp ah, 0x07
    je vid_scroll_down
    cmp ah, 0x08
    je vid_read_char
    cmp ah, 0x09
    je vid_write_char_attr
    cmp ah, 0x0A
    je vid_write_char
    cmp ah, 0x0E
    je vid_teletype
    cmp ah, 0x0F
    je vid_get_mode
    cmp ah, 0x13
    je vid_write_string
vid_return:
    pop ax
vid_return_ax:
    pop dx
    pop cx
    pop bx
    pop bp
    pop di
    pop si
    pop es
    pop ds
    iret

vid_set_mode:
    mov ah, al
    and al, 0x7F
    cmp al, 0x03
    jbe .ok
    mov al, 0x03
.ok:
    mov [BDA_VIDEO_MODE], al
    mov word [BDA_VIDEO_COLS], 80
    cmp al, 0x01
    ja .wide
    mov word [BDA_VIDEO_COLS], 40
.wide:
    mov word [BDA_VIDEO_PAGESIZE], 0x1000
    mov word [BDA_VIDEO_PAGESTART], 0
    mov word [BDA_CRTC_BASE], 0x3D4
    mov byte [BDA_VIDEO_ROWS], 24
    mov byte [BDA_CHAR_HEIGHT], 16
    mov byte [BDA_VIDEO_PAGE], 0
    mov byte [BDA_VIDEO_CTL], 0x60
    mov byte [BDA_VIDEO_SWITCHES], 0xF9
    mov byte [BDA_VIDEO_MODESET], 0x51
    mov byte [BDA_VIDEO_MSR], 0x29
    mov byte [BDA_VIDEO_PAL], 0x30
    xor di, di
    mov cx, 8
.clear_pos:
    mov word [BDA_CURSOR_POS + di], 0
    add di, 2
    loop .clear_pos
    mov cx, 0x0607
    call vid_shape
    xor dx, dx
    xor bh, bh
    call vid_cursor_to
    test ah, 0x80                         ; bit 7: keep the screen contents
    jnz vid_return
    mov ax, 0xB800
    mov es, ax
    xor di, di
    mov cx, 0x4000
    mov ax, 0x0720
    rep stosw
    jmp vid_return

; AX = the text buffer segment: B000h with the CRTC at 3B4h (monochrome), else B800h.
vid_text_segment:
    mov ax, 0xB800
    cmp word [BDA_CRTC_BASE], 0x3B4
    jne .colour
    mov ax, 0xB000
.colour:
    ret

vid_cursor_shape:
    call vid_shape
    jmp vid_return

; CH = start line (bit 5: hidden), CL = end line → 40:60h and CRTC 0Ah/0Bh.
vid_shape:
    push ax
    push dx
    mov [BDA_CURSOR_SHAPE], cx
    mov dx, [BDA_CRTC_BASE]
    mov al, 0x0A
    mov ah, ch
    out dx, ax
    mov al, 0x0B
    mov ah, cl
    out dx, ax
    pop dx
    pop ax
    ret

vid_set_cursor:
    call vid_cursor_to
    jmp vid_return

; BH = page, DX = row:column → 40:50h + 2×page, and the CRTC when it is the active page.
vid_cursor_to:
    push ax
    push bx
    push dx
    and bh, 7
    movzx si, bh
    shl si, 1
    mov [BDA_CURSOR_POS + si], dx
    cmp bh, [BDA_VIDEO_PAGE]
    jne .done
    mov al, dh
    mul byte [BDA_VIDEO_COLS]
    xor dh, dh
    add ax, dx
    movzx bx, byte [BDA_VIDEO_PAGE]
    shl bx, 11                            ; 4 KiB page = 2048 characters
    add bx, ax
    mov dx, [BDA_CRTC_BASE]
    mov al, 0x0E
    mov ah, bh
    out dx, ax
    mov al, 0x0F
    mov ah, bl
    out dx, ax
.done:
    pop dx
    pop bx
    pop ax
    ret

vid_get_cursor:
    and bh, 7
    movzx si, bh
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    mov cx, [BDA_CURSOR_SHAPE]
    pop ax
    add sp, 4                             ; drop the caller's DX and CX: return ours
    pop bx
    pop bp
    pop di
    pop si
    pop es
    pop ds
    iret

vid_set_page:
    and al, 7
    mov [BDA_VIDEO_PAGE], al
    movzx ax, al
    shl ax, 12
    mov [BDA_VIDEO_PAGESTART], ax
    shr ax, 1
    push ax
    mov dx, [BDA_CRTC_BASE]
    mov al, 0x0C
    out dx, al
    inc dx
    pop ax
    push ax
    mov al, ah
    out dx, al
    dec dx
    mov al, 0x0D
    out dx, al
    inc dx
    pop ax
    out dx, al
    mov bh, [BDA_VIDEO_PAGE]
    movzx si, bh
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    call vid_cursor_to
    jmp vid_return

; ES:DI → the cell at row DH, column DL of page BH (B000h for a monochrome CRTC at 3B4h).
vid_cell:
    push ax
    push dx
    call vid_text_segment
    mov es, ax
    mov al, dh
    mul byte [BDA_VIDEO_COLS]
    xor dh, dh
    add ax, dx
    shl ax, 1
    mov di, ax
    movzx ax, bh
    and al, 7
    shl ax, 12
    add di, ax
    pop dx
    pop ax
    ret

vid_scroll_up:
    ; AL = lines (0 = clear), BH = fill attribute, CH:CL to DH:DL = the window (active page).
    call vid_scroll_up_core
    jmp vid_return

vid_scroll_down:
    call vid_scroll_down_core
    jmp vid_return

; Clips the window to the screen. Returns BP = window width, SI = height, AL = lines to move
; (the height when 0 or larger: clear); CF=1 when the window is empty.
vid_clip:
    push bx
    mov bl, [BDA_VIDEO_COLS]
    dec bl
    cmp dl, bl
    jbe .col_ok
    mov dl, bl
.col_ok:
    mov bl, [BDA_VIDEO_ROWS]
    cmp dh, bl
    jbe .row_ok
    mov dh, bl
.row_ok:
    pop bx
    cmp ch, dh
    ja .empty
    cmp cl, dl
    ja .empty
    push ax
    movzx ax, dl
    sub al, cl
    inc ax
    mov bp, ax
    movzx ax, dh
    sub al, ch
    inc ax
    mov si, ax
    pop ax
    test al, al
    jz .clear
    movzx bx, al
    cmp bx, si
    jb .ok
.clear:
    mov ax, si
.ok:
    clc
    ret
.empty:
    stc
    ret

vid_scroll_up_core:
    push ax
    push bx
    push cx
    push dx
    push si
    push bp
    call vid_clip
    jc .done
    mov bl, ch                            ; destination row
.row:
    cmp bl, dh
    ja .done
    mov ah, bl
    add ah, al                            ; source row
    jc .blank
    cmp ah, dh
    ja .blank
    call vid_copy_row
    jmp .next
.blank:
    call vid_blank_row
.next:
    inc bl
    jmp .row
.done:
    pop bp
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    ret

vid_scroll_down_core:
    push ax
    push bx
    push cx
    push dx
    push si
    push bp
    call vid_clip
    jc .done
    mov bl, dh                            ; destination row, bottom up; SI rows to do
.row:
    test si, si
    jz .done
    mov ah, bl
    sub ah, al                            ; source row
    jc .blank
    cmp ah, ch
    jb .blank
    call vid_copy_row
    jmp .next
.blank:
    call vid_blank_row
.next:
    dec bl
    dec si
    jmp .row
.done:
    pop bp
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    ret

; ES:DI → row DH, column DL of the active page.
vid_cell_active:
    push bx
    mov bh, [BDA_VIDEO_PAGE]
    call vid_cell
    pop bx
    ret

; Copies BP cells from row AH to row BL, starting at column CL (active page).
vid_copy_row:
    push ds
    push si
    push di
    push cx
    push dx
    mov dh, ah
    mov dl, cl
    call vid_cell_active
    mov si, di
    mov dh, bl
    call vid_cell_active
    push es
    pop ds
    mov cx, bp
    rep movsw
    pop dx
    pop cx
    pop di
    pop si
    pop ds
    ret

; Fills BP cells of row BL from column CL with spaces in attribute BH (active page).
vid_blank_row:
    push ax
    push di
    push cx
    push dx
    mov dh, bl
    mov dl, cl
    call vid_cell_active
    mov cx, bp
    mov ah, bh
    mov al, ' '
    rep stosw
    pop dx
    pop cx
    pop di
    pop ax
    ret

vid_read_char:
    movzx si, bh
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    call vid_cell
    mov ax, [es:di]
    jmp vid_return_ax

vid_write_char_attr:
    ; AL = character, BL = attribute, CX = count at the cursor of page BH (cursor stays).
    movzx si, bh
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    call vid_cell
    mov ah, bl
    rep stosw
    jmp vid_return

vid_write_char:
    movzx si, bh
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    call vid_cell
    jcxz .done
.next:
    stosb
    inc di
    loop .next
.done:
    jmp vid_return

vid_teletype:
    mov bh, [BDA_VIDEO_PAGE]
    mov bl, 0                             ; keep the cell's attribute
    call vid_tty
    jmp vid_return

; Teletype output of AL on page BH; BL = attribute for new cells (0: keep the old one). Handles
; bell (07h), backspace (08h), line feed (0Ah), carriage return (0Dh); scrolls at the bottom,
; the new line taking the attribute under the cursor. Preserves every register.
vid_tty:
    push es
    push di
    push ax
    push bx
    push cx
    push dx
    push si
    movzx si, bh
    and si, 7
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
    call vid_cell
    mov [es:di], al
    test bl, bl
    jz .keep_attr
    mov [es:di + 1], bl
.keep_attr:
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
    push bx
    call vid_cell
    mov bh, [es:di + 1]
    mov al, 1
    xor cx, cx
    mov dl, [BDA_VIDEO_COLS]
    dec dl
    call vid_scroll_up_core
    pop bx
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
    call vid_cursor_to
.done:
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    pop di
    pop es
    ret

vid_get_mode:
    mov al, [BDA_VIDEO_MODE]
    mov ah, [BDA_VIDEO_COLS]
    mov bh, [BDA_VIDEO_PAGE]
    pop si                                ; drop the caller's AX
    pop dx
    pop cx
    add sp, 2                             ; drop the caller's BX: return ours
    pop bp
    pop di
    pop si
    pop es
    pop ds
    iret

vid_write_string:
    ; AL bit 0: leave the cursor after the string, bit 1: the string holds character/attribute
    ; pairs. BH = page, BL = attribute, CX = length, DH:DL = start, ES:BP = string.
    movzx si, bh
    and si, 7
    shl si, 1
    push word [BDA_CURSOR_POS + si]       ; the old cursor, restored unless bit 0
    call vid_cursor_to
    mov di, ax                            ; DI low byte = the mode bits
    mov si, bp
    jcxz .end
.next:
    mov al, [es:si]
    inc si
    test di, 0x02
    jz .plain
    mov bl, [es:si]
    inc si
.plain:
    cmp al, 0x07
    je .ctl
    cmp al, 0x08
    je .ctl
    cmp al, 0x0A
    je .ctl
    cmp al, 0x0D
    je .ctl
    call vid_put_attr
.ctl:
    call vid_tty
    loop .next
.end:
    pop dx
    test di, 0x01
    jnz vid_return
    call vid_cursor_to
    jmp vid_return

; Writes attribute BL into the cell under page BH's cursor.
vid_put_attr:
    push es
    push di
    push dx
    push si
    movzx si, bh
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    call vid_cell
    mov [es:di + 1], bl
    pop si
    pop dx
    pop di
    pop es
    ret


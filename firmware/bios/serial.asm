; INT 14h serial ports (8250/16550 registers: +0 data / divisor low, +1 IER / divisor high,
; +3 LCR, +4 MCR, +5 LSR, +6 MSR). DX = port 0–3. Returns AH = line status (bit 7 = time-out),
; AL = modem status (for 00h and 03h) or the received character (02h).

int14_handler:
    sti
    push ds
    push bx
    push cx
    push dx
    push si
    cmp dx, 3
    ja .done
    xor bx, bx
    mov ds, bx
    mov si, dx
    mov bl, [BDA_COM_TIMEOUT + si]
    shl si, 1
    mov dx, [BDA_COM1 + si]
    test dx, dx
    jz .done
    cmp ah, 0x00
    je .init
    cmp ah, 0x01
    je .send
    cmp ah, 0x02
    je .receive
    cmp ah, 0x03
    je .status
    jmp .done

.init:
    ; AL: bits 7–5 baud (110 … 9600), 4–3 parity, 2 stop bits, 1–0 word length.
    push ax
    add dx, 3
    mov al, 0x80                          ; DLAB
    out dx, al
    pop ax
    push ax
    movzx si, al
    shr si, 5
    shl si, 1
    mov cx, [cs:baud_divisors + si]
    sub dx, 3
    mov al, cl
    out dx, al
    inc dx
    mov al, ch
    out dx, al
    add dx, 2
    pop ax
    push ax
    and al, 0x1F
    out dx, al                            ; LCR: the frame format, DLAB off
    sub dx, 2
    xor al, al
    out dx, al                            ; IER: no interrupts
    dec dx
    pop ax
.status:
    add dx, 5
    in al, dx
    mov ah, al
    inc dx
    in al, dx
    jmp .done

.send:
    ; Wait for the transmitter (DTR and RTS raised), up to the port's time-out.
    push ax
    add dx, 4
    mov al, 0x03
    out dx, al
    inc dx
    call .wait_lsr_thre
    pop cx
    jc .timeout_send
    sub dx, 5
    mov al, cl
    out dx, al
    add dx, 5
    in al, dx
    mov ah, al
    mov al, cl
    jmp .done
.timeout_send:
    in al, dx
    mov ah, al
    or ah, 0x80
    mov al, cl
    jmp .done

.receive:
    add dx, 4
    mov al, 0x01                          ; DTR
    out dx, al
    inc dx
    mov ch, bl
    xor cl, cl
.rx_outer:
    mov si, 0xFFFF
.rx_wait:
    in al, dx
    test al, 0x01
    jnz .rx_got
    dec si
    jnz .rx_wait
    dec ch
    jnz .rx_outer
    mov ah, al
    or ah, 0x80
    jmp .done
.rx_got:
    mov ah, al
    and ah, 0x1E                          ; overrun, parity, framing, break
    sub dx, 5
    in al, dx
    jmp .done

.done:
    pop si
    pop dx
    pop cx
    pop bx
    pop ds
    iret

; DX = LSR port, BL = time-out count: CF=1 if THRE never sets.
.wait_lsr_thre:
    push cx
    push si
    mov ch, bl
    test ch, ch
    jnz .outer
    inc ch
.outer:
    mov si, 0xFFFF
.inner:
    in al, dx
    test al, 0x20
    jnz .ready
    dec si
    jnz .inner
    dec ch
    jnz .outer
    pop si
    pop cx
    stc
    ret
.ready:
    pop si
    pop cx
    clc
    ret

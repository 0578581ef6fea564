; Small helpers: the service call, CMOS, 8042, message output.

; The register frame handed to the Swift side, from its lowest address (real mode):
;   +0 DS, +2 ES, +4 EDI, +8 ESI, +12 EBP, +16 ESP (ignored), +20 EBX, +24 EDX, +28 ECX, +32 EAX,
;   +36 service number, +38 IP, +40 CS, +42 FLAGS (the INT's IRET frame).
; The OUT writes the frame's offset in SS; the service reads and rewrites the frame through
; guest memory (registers and the CF/ZF bits of FLAGS) before the IN... OUT returns.

; Entry of every service-backed interrupt: the IRET frame is on the stack, [SP] the service.
svc_common:
    pushad
    push es
    push ds
    mov dx, SERVICE_PORT
    movzx eax, sp
    out dx, eax
    pop ds
    pop es
    popad
    add sp, 2
    iret

; POST-internal service call: AX = service number, other registers as the service expects.
; Returns the registers as the service left them (flags: CF).
service:
    pushf
    call 0xF000:.entry
    ret
.entry:
    push ax
    jmp svc_common

; AL = CMOS index → AL = value (NMI stays enabled).
cmos_read:
    out CMOS_INDEX, al
    in al, CMOS_DATA
    ret

; AL = CMOS index, AH = value.
cmos_write:
    out CMOS_INDEX, al
    mov al, ah
    out CMOS_DATA, al
    ret

; AL (BCD) → AL (binary).
bcd_to_bin:
    push cx
    mov cl, al
    shr al, 4
    mov ch, 10
    mul ch
    and cl, 0x0F
    add al, cl
    pop cx
    ret

; AL (binary 0–99) → AL (BCD).
bin_to_bcd:
    push cx
    xor ah, ah
    mov cl, 10
    div cl
    shl al, 4
    or al, ah
    pop cx
    ret

; Waits until the RTC is not updating (register A bit 7, UIP), so the next 244 µs read
; consistent time registers. CF=1 if it never clears (the clock is stopped).
rtc_wait_update:
    push cx
    push ax
    mov cx, 0xFFFF
.wait:
    mov al, 0x0A
    out CMOS_INDEX, al
    in al, CMOS_DATA
    test al, 0x80
    jz .ok
    loop .wait
    pop ax
    pop cx
    stc
    ret
.ok:
    pop ax
    pop cx
    clc
    ret

; 8042 helpers: wait for the input buffer to empty, then write; wait for output, then read.
kbc_wait_write:
    push cx
    mov cx, 0xFFFF
.w:
    in al, KBC_STATUS
    test al, 0x02
    jz .done
    loop .w
.done:
    pop cx
    ret

kbc_command:                              ; AL = controller command
    push ax
    call kbc_wait_write
    pop ax
    out KBC_STATUS, al
    ret

kbc_write_data:                           ; AL = byte for the keyboard / command parameter
    push ax
    call kbc_wait_write
    pop ax
    out KBC_DATA, al
    ret

kbc_read:                                 ; → AL, CF=1 on timeout
    push cx
    mov cx, 0xFFFF
.r:
    in al, KBC_STATUS
    test al, 0x01
    jnz .got
    loop .r
    pop cx
    stc
    ret
.got:
    in al, KBC_DATA
    pop cx
    clc
    ret

kbc_flush:
    push cx
    mov cx, 64
.f:
    in al, KBC_STATUS
    test al, 0x01
    jz .empty
    in al, KBC_DATA
    loop .f
.empty:
    pop cx
    ret

; Prints the NUL-terminated string at CS:SI on the screen (INT 10h teletype) and on COM1.
print:
    push ax
    push bx
    push si
.next:
    mov al, [cs:si]
    test al, al
    jz .done
    inc si
    call print_char
    jmp .next
.done:
    pop si
    pop bx
    pop ax
    ret

; AL → screen and COM1.
print_char:
    push ax
    push bx
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    pop bx
    pop ax
    call serial_out
    ret

; AL → COM1 (if present): waits for the transmit holding register to empty.
serial_out:
    push ds
    push dx
    push cx
    push ax
    xor dx, dx
    mov ds, dx
    mov dx, [BDA_COM1]
    test dx, dx
    jz .done
    add dx, 5
    mov cx, 0xFFFF
.wait:
    in al, dx
    test al, 0x20
    jnz .send
    loop .wait
.send:
    sub dx, 5
    pop ax
    push ax
    out dx, al
.done:
    pop ax
    pop cx
    pop dx
    pop ds
    ret

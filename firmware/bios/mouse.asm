; INT 15h AH=C2h pointing device services and IRQ 12 (INT 74h): the PS/2 mouse behind the 8042's
; auxiliary port (IBM PS/2 BIOS interface). Commands reach the mouse through 8042 command D4h;
; its answers come back with status bit 5 (auxiliary data) set.
;
; EBDA bytes (IBM layout): 22h far pointer to the caller's handler, 26h index of the next packet
; byte, 27h packet size - 1 (bits 2:0) | handler installed (bit 7), 28h.. the packet.
%define EBDA_MOUSE_HANDLER  0x22
%define EBDA_MOUSE_INDEX    0x26
%define EBDA_MOUSE_FLAGS    0x27
%define EBDA_MOUSE_PACKET   0x28

mouse_services:
    sti
    push ds
    push es
    push si
    push di
    push ax
    xor si, si
    mov ds, si
    mov ds, [BDA_EBDA_SEG]                ; DS = EBDA
    mov al, 0xA8                          ; the auxiliary interface on (clears the inhibit)
    call kbc_command
    pop ax
    push ax
    cmp al, 0x07
    ja .invalid
    movzx si, al
    shl si, 1
    jmp [cs:.table + si]
.table:
    dw .enable, .reset, .rate, .resolution, .type, .init, .extended, .handler

.enable:                                  ; BH = 0 disable, 1 enable
    cmp bh, 1
    ja .invalid_input
    jb .disable
    test byte [EBDA_MOUSE_FLAGS], 0x80
    jz .no_handler
    call mouse_port_on
    mov al, 0xF4
    call mouse_command
    jc .interface
    jmp .ok
.disable:
    mov al, 0xF5
    call mouse_command
    jc .interface
    call mouse_port_off
    jmp .ok
.reset:
    mov byte [EBDA_MOUSE_INDEX], 0
    mov al, 0xFF
    call mouse_command
    jc .interface
    call mouse_read                       ; AAh: self test passed
    jc .interface
    mov bl, al
    call mouse_read                       ; device ID
    jc .interface
    mov bh, al
    jmp .ok
.rate:                                    ; BH = 0..6: 10, 20, 40, 60, 80, 100, 200 per second
    cmp bh, 6
    ja .invalid_input
    movzx si, bh
    mov al, 0xF3
    call mouse_command
    jc .interface
    mov al, [cs:mouse_rates + si]
    call mouse_command
    jc .interface
    jmp .ok
.resolution:                              ; BH = 0..3: 1, 2, 4, 8 counts per mm
    cmp bh, 3
    ja .invalid_input
    mov al, 0xE8
    call mouse_command
    jc .interface
    mov al, bh
    call mouse_command
    jc .interface
    jmp .ok
.type:
    mov al, 0xF2
    call mouse_command
    jc .interface
    call mouse_read
    jc .interface
    mov bh, al
    jmp .ok
.init:                                    ; BH = packet size 1–8
    cmp bh, 1
    jb .invalid_input
    cmp bh, 8
    ja .invalid_input
    mov al, bh
    dec al
    and byte [EBDA_MOUSE_FLAGS], 0x80
    or [EBDA_MOUSE_FLAGS], al
    mov byte [EBDA_MOUSE_INDEX], 0
    mov al, 0xF5                          ; disabled, default settings
    call mouse_command
    jc .interface
    mov al, 0xF6
    call mouse_command
    jc .interface
    jmp .ok
.extended:                                ; BH = 0 status, 1 scaling 1:1, 2 scaling 2:1
    cmp bh, 0
    jne .scaling
    mov al, 0xE9
    call mouse_command
    jc .interface
    call mouse_read
    jc .interface
    mov bl, al
    call mouse_read
    jc .interface
    mov cl, al
    call mouse_read
    jc .interface
    mov dl, al
    jmp .ok
.scaling:
    cmp bh, 2
    ja .invalid_input
    mov al, 0xE5
    add al, bh                            ; E6h 1:1, E7h 2:1
    call mouse_command
    jc .interface
    jmp .ok
.handler:                                 ; ES:BX = far handler (0:0 removes it)
    mov [EBDA_MOUSE_HANDLER], bx
    mov [EBDA_MOUSE_HANDLER + 2], es
    and byte [EBDA_MOUSE_FLAGS], 0x7F
    mov ax, es
    or ax, bx
    jz .ok
    or byte [EBDA_MOUSE_FLAGS], 0x80
    jmp .ok

.ok:
    pop ax
    mov ah, 0x00
    clc
    jmp .return
.invalid:
    pop ax
    mov ah, 0x01
    stc
    jmp .return
.invalid_input:
    pop ax
    mov ah, 0x02
    stc
    jmp .return
.interface:
    pop ax
    mov ah, 0x03
    stc
    jmp .return
.no_handler:
    pop ax
    mov ah, 0x05
    stc
.return:
    pop di
    pop si
    pop es
    pop ds
    retf 2

mouse_rates: db 10, 20, 40, 60, 80, 100, 200

; Enables the auxiliary port and its interrupt (8042 A8h, command byte bit 1 on, bit 5 off).
mouse_port_on:
    push ax
    mov al, 0xA8
    call kbc_command
    mov al, 0x20
    call kbc_command
    call kbc_read
    and al, 0xDF
    or al, 0x02
    push ax
    mov al, 0x60
    call kbc_command
    pop ax
    call kbc_write_data
    in al, PIC2_DATA                      ; unmask IRQ 12
    and al, 0xEF
    out PIC2_DATA, al
    pop ax
    ret

mouse_port_off:
    push ax
    mov al, 0x20
    call kbc_command
    call kbc_read
    and al, 0xFD
    or al, 0x20
    push ax
    mov al, 0x60
    call kbc_command
    pop ax
    call kbc_write_data
    pop ax
    ret

; Sends AL to the mouse and waits for its acknowledge (FAh). CF=1 on a time-out or refusal.
; IRQ 12 stays off meanwhile (interrupts disabled, the answer is polled).
mouse_command:
    pushf
    cli
    push ax
    mov al, 0xD4
    call kbc_command
    pop ax
    call kbc_write_data
    call mouse_read
    jc .failed
    cmp al, 0xFA
    jne .failed
    popf
    clc
    ret
.failed:
    popf
    stc
    ret

; AL = the next byte from the mouse (status bits 0 and 5), CF=1 on a time-out.
mouse_read:
    push cx
    mov cx, 0xFFFF
.wait:
    in al, KBC_STATUS
    and al, 0x21
    cmp al, 0x21
    je .got
    loop .wait
    pop cx
    stc
    ret
.got:
    in al, KBC_DATA
    pop cx
    clc
    ret

; IRQ 12: collect the packet; when complete, far-call the handler with the status, X, Y and Z
; words on the stack (pushed in that order), as the PS/2 BIOS does.
int74_handler:
    push ds
    push ax
    push bx
    push cx
    in al, KBC_STATUS
    and al, 0x21
    cmp al, 0x21
    jne .eoi                              ; nothing from the mouse (already polled)
    in al, KBC_DATA
    xor bx, bx
    mov ds, bx
    mov ds, [BDA_EBDA_SEG]
    movzx bx, byte [EBDA_MOUSE_INDEX]
    and bx, 7
    mov [EBDA_MOUSE_PACKET + bx], al
    inc bx
    mov cl, [EBDA_MOUSE_FLAGS]
    and cl, 7
    inc cl
    cmp bl, cl
    jb .partial
    mov byte [EBDA_MOUSE_INDEX], 0
    test byte [EBDA_MOUSE_FLAGS], 0x80
    jz .eoi
    sti
    movzx ax, byte [EBDA_MOUSE_PACKET]
    push ax                               ; status
    mov al, [EBDA_MOUSE_PACKET + 1]
    push ax                               ; X
    mov al, [EBDA_MOUSE_PACKET + 2]
    push ax                               ; Y
    xor ax, ax
    push ax                               ; Z
    call far [EBDA_MOUSE_HANDLER]
    add sp, 8
    cli
    jmp .eoi
.partial:
    mov [EBDA_MOUSE_INDEX], bl
.eoi:
    mov al, 0x20
    out PIC2_CMD, al
    out PIC1_CMD, al
    pop cx
    pop bx
    pop ax
    pop ds
    iret

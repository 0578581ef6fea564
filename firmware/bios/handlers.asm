; Interrupt handlers: hardware IRQ defaults, timer, RTC, equipment/memory, disk and printer.

; Unexpected IRQ 3–5 (and any master IRQ without a handler): end it at the master 8259A.
irq_master_eoi:
    push ax
    mov al, 0x20
    out PIC1_CMD, al
    pop ax
    iret

; Unexpected IRQ on the slave 8259A: end it at the slave, then the cascade at the master.
irq_slave_eoi:
    push ax
    mov al, 0x20
    out PIC2_CMD, al
    out PIC1_CMD, al
    pop ax
    iret

; IRQ 7 is also what the 8259A delivers for a spurious interrupt (the request vanished before
; INTA): then its in-service bit is clear and no EOI may be sent (8259A datasheet).
irq7_handler:
    push ax
    mov al, 0x0B                          ; OCW3: read ISR
    out PIC1_CMD, al
    in al, PIC1_CMD
    test al, 0x80
    jz .spurious
    mov al, 0x20
    out PIC1_CMD, al
.spurious:
    pop ax
    iret

irq15_handler:
    push ax
    mov al, 0x0B
    out PIC2_CMD, al
    in al, PIC2_CMD
    test al, 0x80
    mov al, 0x20
    jz .spurious                          ; the master still saw IRQ 2: end that
    out PIC2_CMD, al
.spurious:
    out PIC1_CMD, al
    pop ax
    iret

; NMI: parity or I/O channel check. Report it and carry on (port 61h bits 7/6 say which).
int02_handler:
    push ax
    in al, 0x61
    or al, 0x0C                           ; clear and re-enable the check latches
    out 0x61, al
    and al, 0xF3
    out 0x61, al
    pop ax
    iret

; INT 05h print screen: no printer service; report "completed" in 50:00 as the PC BIOS does.
int05_handler:
    push ds
    push ax
    xor ax, ax
    mov ds, ax
    mov byte [0x500], 0
    pop ax
    pop ds
    iret

; IRQ 0, 18.2 times a second: count ticks in 40:6Ch, roll over at midnight (40:70h set), count
; down the floppy motor time-out, call the user hook INT 1Ch, end the interrupt.
int08_handler:
    push ds
    push ax
    push dx
    xor ax, ax
    mov ds, ax
    inc dword [BDA_TICKS]
    cmp dword [BDA_TICKS], TICKS_PER_DAY
    jb .same_day
    mov dword [BDA_TICKS], 0
    mov byte [BDA_MIDNIGHT], 1
.same_day:
    cmp byte [BDA_FD_MOTOR_COUNT], 0
    je .no_motor
    dec byte [BDA_FD_MOTOR_COUNT]
    jnz .no_motor
    and byte [BDA_FD_MOTOR], 0xF0         ; motors off: DOR = reset released, DMA enabled
    mov dx, 0x3F2
    mov al, 0x0C
    out dx, al
.no_motor:
    int 0x1C
    cli
    mov al, 0x20
    out PIC1_CMD, al
    pop dx
    pop ax
    pop ds
    iret

; IRQ 6, the floppy controller: bit 7 of 40:3Eh tells a waiting driver the operation completed.
int0e_handler:
    push ds
    push ax
    xor ax, ax
    mov ds, ax
    or byte [BDA_FD_RECAL], 0x80
    mov al, 0x20
    out PIC1_CMD, al
    pop ax
    pop ds
    iret

; IRQ 8: the RTC. Register C says why (and reading it re-arms the interrupt): the periodic
; interrupt (1024 Hz) counts down an INT 15h 83h/86h wait; the alarm calls INT 4Ah.
int70_handler:
    push ds
    push eax
    push bx
    xor ax, ax
    mov ds, ax
    mov al, 0x0C
    out CMOS_INDEX, al
    in al, CMOS_DATA
    mov bl, al
    test bl, 0x40
    jz .no_periodic
    test byte [BDA_WAIT_ACTIVE], 0x01
    jz .no_periodic
    sub dword [BDA_WAIT_COUNT], 976       ; µs per 1024 Hz period
    jnc .no_periodic
    ; Wait over: set bit 7 of the caller's flag byte, stop the periodic interrupt.
    mov byte [BDA_WAIT_ACTIVE], 0
    push es
    push di
    les di, [BDA_WAIT_FLAG_PTR]
    or byte [es:di], 0x80
    pop di
    pop es
    mov al, 0x0B
    out CMOS_INDEX, al
    in al, CMOS_DATA
    and al, 0xBF
    mov ah, al
    mov al, 0x0B
    out CMOS_INDEX, al
    mov al, ah
    out CMOS_DATA, al
.no_periodic:
    test bl, 0x20
    jz .no_alarm
    sti
    int 0x4A
    cli
.no_alarm:
    mov al, 0x20
    out PIC2_CMD, al
    out PIC1_CMD, al
    pop bx
    pop eax
    pop ds
    iret

; IRQ 9: the PC/AT's redirected IRQ 2. End it at the slave and hand it to the INT 0Ah handler.
int71_handler:
    push ax
    mov al, 0x20
    out PIC2_CMD, al
    pop ax
    int 0x0A
    iret

; IRQ 13: the FPU signalled an error (FERR#). Clear the busy latch (port F0h), end the
; interrupt, and report it as an NMI as the PC/AT does.
int75_handler:
    push ax
    xor al, al
    out 0xF0, al
    mov al, 0x20
    out PIC2_CMD, al
    out PIC1_CMD, al
    pop ax
    int 0x02
    iret

; INT 11h: equipment word.
int11_handler:
    push ds
    xor ax, ax
    mov ds, ax
    mov ax, [BDA_EQUIPMENT]
    pop ds
    iret

; INT 12h: conventional memory in KiB (below the EBDA).
int12_handler:
    push ds
    xor ax, ax
    mov ds, ax
    mov ax, [BDA_MEMORY_KB]
    pop ds
    iret

; INT 13h (and INT 40h): every disk function is served by the Swift side, which reads the
; images, writes the caller's buffers and sets AH, CF and the BDA status bytes.
int13_handler:
    push word SVC_INT13
    jmp svc_common

; INT 17h printer: AH=00h print AL, 01h initialise, 02h status; DX = printer 0–2. The status
; byte is port base+1 with bits 6 (ACK) and 3 (error) inverted to active-high, bit 0 = time-out.
int17_handler:
    sti
    push ds
    push bx
    push cx
    push dx
    cmp dx, 2
    ja .out
    xor bx, bx
    mov ds, bx
    mov bx, dx
    mov cl, [BDA_LPT_TIMEOUT + bx]
    shl bx, 1
    mov dx, [BDA_LPT1 + bx]
    test dx, dx
    jz .out
    cmp ah, 0
    je .print
    cmp ah, 1
    je .init
    cmp ah, 2
    je .status
    jmp .out
.print:
    out dx, al
    push ax
    inc dx
    xor ch, ch
    shl cx, 8
.busy:
    in al, dx
    test al, 0x80                         ; BUSY# high = ready
    jnz .strobe
    loop .busy
    pop ax
    mov ah, 0x01                          ; time-out
    jmp .out_status_dx
.strobe:
    inc dx
    mov al, 0x0D                          ; STROBE on (select, init high)
    out dx, al
    mov al, 0x0C
    out dx, al
    dec dx
    pop ax
    jmp .read_status
.init:
    add dx, 2
    mov al, 0x08                          ; INIT# low
    out dx, al
    mov cx, 0x1000
.delay:
    loop .delay
    mov al, 0x0C
    out dx, al
    sub dx, 2
.status:
    inc dx
.read_status:
    in al, dx
    and al, 0xF8
    xor al, 0x48
    mov ah, al
    dec dx
    jmp .out
.out_status_dx:
    dec dx
.out:
    pop dx
    pop cx
    pop bx
    pop ds
    iret

; INT 1Ah: tick count, the MC146818 real-time clock (BCD), and the PCI BIOS (AH=B1h).

int1a_handler:
    cmp ah, 0xB1
    jne .not_pci
    push word SVC_PCI16
    jmp svc_common
.not_pci:
    sti
    push ds
    push bx
    xor bx, bx
    mov ds, bx
    pop bx
    cmp ah, 0x00
    je .get_ticks
    cmp ah, 0x01
    je .set_ticks
    cmp ah, 0x02
    je .get_time
    cmp ah, 0x03
    je .set_time
    cmp ah, 0x04
    je .get_date
    cmp ah, 0x05
    je .set_date
    cmp ah, 0x06
    je .set_alarm
    cmp ah, 0x07
    je .reset_alarm
    pop ds
    stc
    retf 2

.get_ticks:
    ; CX:DX = ticks since midnight, AL = midnight passed since the last read (then cleared).
    cli
    mov dx, [BDA_TICKS]
    mov cx, [BDA_TICKS + 2]
    mov al, [BDA_MIDNIGHT]
    mov byte [BDA_MIDNIGHT], 0
    sti
    pop ds
    clc
    retf 2

.set_ticks:
    cli
    mov [BDA_TICKS], dx
    mov [BDA_TICKS + 2], cx
    mov byte [BDA_MIDNIGHT], 0
    sti
    pop ds
    clc
    retf 2

.get_time:
    ; CH = hours, CL = minutes, DH = seconds (BCD), DL = daylight saving (register B bit 0).
    call rtc_wait_update
    jc .fail
    mov al, 0x04
    call cmos_read
    mov ch, al
    mov al, 0x02
    call cmos_read
    mov cl, al
    mov al, 0x00
    call cmos_read
    mov dh, al
    mov al, 0x0B
    call cmos_read
    and al, 0x01
    mov dl, al
    pop ds
    clc
    retf 2

.set_time:
    ; Stop updates (SET), write the registers, 24-hour BCD with DL bit 0 as daylight saving.
    call rtc_wait_update
    push ax
    mov al, 0x0B
    call cmos_read
    or al, 0x80
    mov ah, al
    mov al, 0x0B
    call cmos_write
    mov ah, ch
    mov al, 0x04
    call cmos_write
    mov ah, cl
    mov al, 0x02
    call cmos_write
    mov ah, dh
    mov al, 0x00
    call cmos_write
    mov al, 0x0B
    call cmos_read
    and al, 0x60                          ; keep PIE / AIE
    or al, 0x02
    mov ah, dl
    and ah, 0x01
    or ah, al
    mov al, 0x0B
    call cmos_write
    pop ax
    pop ds
    clc
    retf 2

.get_date:
    ; CH = century, CL = year, DH = month, DL = day (BCD).
    call rtc_wait_update
    jc .fail
    mov al, CMOS_CENTURY
    call cmos_read
    mov ch, al
    mov al, 0x09
    call cmos_read
    mov cl, al
    mov al, 0x08
    call cmos_read
    mov dh, al
    mov al, 0x07
    call cmos_read
    mov dl, al
    pop ds
    clc
    retf 2

.set_date:
    call rtc_wait_update
    push ax
    mov al, 0x0B
    call cmos_read
    push ax
    or al, 0x80
    mov ah, al
    mov al, 0x0B
    call cmos_write
    mov ah, ch
    mov al, CMOS_CENTURY
    call cmos_write
    mov ah, cl
    mov al, 0x09
    call cmos_write
    mov ah, dh
    mov al, 0x08
    call cmos_write
    mov ah, dl
    mov al, 0x07
    call cmos_write
    pop ax
    and al, 0x7F
    mov ah, al
    mov al, 0x0B
    call cmos_write
    pop ax
    pop ds
    clc
    retf 2

.set_alarm:
    ; CH:CL:DH = alarm time (BCD). CF=1 if an alarm is already set.
    push ax
    mov al, 0x0B
    call cmos_read
    test al, 0x20
    jnz .alarm_busy
    mov ah, ch
    mov al, 0x05
    call cmos_write
    mov ah, cl
    mov al, 0x03
    call cmos_write
    mov ah, dh
    mov al, 0x01
    call cmos_write
    mov al, 0x0B
    call cmos_read
    or al, 0x20
    mov ah, al
    mov al, 0x0B
    call cmos_write
    in al, PIC2_DATA
    and al, 0xFE
    out PIC2_DATA, al
    pop ax
    pop ds
    clc
    retf 2
.alarm_busy:
    pop ax
.fail:
    pop ds
    stc
    retf 2

.reset_alarm:
    push ax
    mov al, 0x0B
    call cmos_read
    and al, 0xDF
    mov ah, al
    mov al, 0x0B
    call cmos_write
    pop ax
    pop ds
    clc
    retf 2

; INT 15h system services. Functions return CF=1 with AH=86h when unsupported.

int15_handler:
    cmp ax, 0xE820
    je .swift
    cmp ah, 0x87
    je .swift
    cmp ah, 0xC2
    je mouse_services
    sti
    cmp ah, 0x4F
    je .kbd_intercept
    cmp ah, 0x24
    je .a20
    cmp ah, 0x53
    je apm_handler
    cmp ah, 0x83
    je .event_wait
    cmp ah, 0x85
    je .ok_ah0
    cmp ah, 0x86
    je .wait
    cmp ah, 0x88
    je .ext_memory
    cmp ah, 0x90
    je .ok_ah0
    cmp ah, 0x91
    je .ok_ah0
    cmp ah, 0xC0
    je .config
    cmp ah, 0xC1
    je .ebda
    cmp ax, 0xE801
    je .e801
    cmp ax, 0xE881
    je .e881
.unsupported:
    mov ah, 0x86
    stc
    retf 2

.swift:
    ; E820h (memory map) and 87h (block move above 1 MiB): the Swift side reads the caller's
    ; buffer / descriptor table and writes the results.
    push word SVC_INT15
    jmp svc_common

.kbd_intercept:
    stc                                   ; CF=1: process the scan code normally
    retf 2

.ok_ah0:
    mov ah, 0
    clc
    retf 2

.config:
    ; ES:BX → the system configuration table at F000:E6F5.
    mov bx, 0xF000
    mov es, bx
    mov bx, config_table
    mov ah, 0
    clc
    retf 2

.ebda:
    push ax
    xor ax, ax
    mov es, ax
    mov es, [es:BDA_EBDA_SEG]
    pop ax
    clc
    retf 2

.ext_memory:
    ; AX = KiB of extended memory from 1 MiB up to the ACPI tables, at most FFFFh (64 MiB).
    push ds
    push bx
    xor ax, ax
    mov ds, ax
    mov ds, [BDA_EBDA_SEG]
    mov bx, [EBDA_EXT64K]
    cmp bx, 0x3FF
    jbe .few
    mov bx, 0x3FF
.few:
    shl bx, 6
    mov ax, [EBDA_EXT_KB]
    add ax, bx
    jnc .fits
    mov ax, 0xFFFF
.fits:
    pop bx
    pop ds
    clc
    retf 2

.e801:
    ; AX = CX = KiB between 1 MiB and 16 MiB, BX = DX = 64 KiB blocks above 16 MiB.
    push ds
    xor ax, ax
    mov ds, ax
    mov ds, [BDA_EBDA_SEG]
    mov ax, [EBDA_EXT_KB]
    mov bx, [EBDA_EXT64K]
    mov cx, ax
    mov dx, bx
    pop ds
    clc
    retf 2

.e881:
    ; The same in 32-bit registers.
    push ds
    xor eax, eax
    mov ds, ax
    mov ds, [BDA_EBDA_SEG]
    mov ax, [EBDA_EXT_KB]
    movzx ebx, word [EBDA_EXT64K]
    mov ecx, eax
    mov edx, ebx
    pop ds
    clc
    retf 2

.a20:
    ; 2400h disable, 2401h enable, 2402h status (AL), 2403h support (BX = 3: keyboard
    ; controller and port 92h). The gate is driven through port 92h bit 1 (fast A20).
    cmp al, 0x03
    je .a20_support
    cmp al, 0x02
    je .a20_status
    cmp al, 0x01
    ja .unsupported
    push ax
    mov ah, al
    in al, PORT92
    and al, 0xFC                          ; never write bit 0: it resets the CPU
    shl ah, 1
    or al, ah
    out PORT92, al
    pop ax
    mov ah, 0
    clc
    retf 2
.a20_status:
    in al, PORT92
    shr al, 1
    and al, 1
    mov ah, 0
    clc
    retf 2
.a20_support:
    mov bx, 0x0003
    mov ah, 0
    clc
    retf 2

.wait:
    ; Waits CX:DX microseconds with the RTC's 1024 Hz periodic interrupt (IRQ 8 counts down
    ; 40:9Ch); 40:A0h is both the busy flag and the completion flag.
    push ds
    push eax
    xor ax, ax
    mov ds, ax
    cli
    test byte [BDA_WAIT_ACTIVE], 0x01
    jnz .busy
    mov word [BDA_WAIT_FLAG_PTR], BDA_WAIT_ACTIVE
    mov word [BDA_WAIT_FLAG_PTR + 2], 0
    mov [BDA_WAIT_COUNT], dx
    mov [BDA_WAIT_COUNT + 2], cx
    mov byte [BDA_WAIT_ACTIVE], 0x01
    call rtc_periodic_on
    sti
.sleep:
    hlt
    test byte [BDA_WAIT_ACTIVE], 0x80
    jz .sleep
    mov byte [BDA_WAIT_ACTIVE], 0
    pop eax
    pop ds
    mov ah, 0
    clc
    retf 2
.busy:
    sti
    pop eax
    pop ds
    mov ah, 0x83
    stc
    retf 2

.event_wait:
    ; AL=00h: set bit 7 of ES:BX after CX:DX µs, return at once; AL=01h: cancel.
    push ds
    push eax
    xor ax, ax
    mov ds, ax
    pop eax
    push eax
    cmp al, 0x01
    je .cancel
    cli
    test byte [BDA_WAIT_ACTIVE], 0x01
    jnz .busy
    mov [BDA_WAIT_FLAG_PTR], bx
    mov [BDA_WAIT_FLAG_PTR + 2], es
    mov [BDA_WAIT_COUNT], dx
    mov [BDA_WAIT_COUNT + 2], cx
    mov byte [BDA_WAIT_ACTIVE], 0x01
    call rtc_periodic_on
    sti
    pop eax
    pop ds
    clc
    retf 2
.cancel:
    mov byte [BDA_WAIT_ACTIVE], 0
    pop eax
    pop ds
    clc
    retf 2

; Turns on the RTC periodic interrupt (register B PIE) and unmasks IRQ 8 and the cascade.
rtc_periodic_on:
    mov al, 0x0B
    out CMOS_INDEX, al
    in al, CMOS_DATA
    or al, 0x40
    mov ah, al
    mov al, 0x0B
    out CMOS_INDEX, al
    mov al, ah
    out CMOS_DATA, al
    in al, PIC2_DATA
    and al, 0xFE
    out PIC2_DATA, al
    in al, PIC1_DATA
    and al, 0xFB
    out PIC1_DATA, al
    ret

; APM 1.2 (INT 15h AH=53h), real-mode interface only: installation check, connect/disconnect,
; CPU idle/busy, driver version, enable/engage, power status, and power off through the ACPI
; PM1a control register (SLP_TYP S5 | SLP_EN), which the PIIX4 PM function at 0x600 implements.
apm_handler:
    cmp al, 0x00
    je .check
    cmp al, 0x01
    je .ok
    cmp al, 0x02
    je .no16
    cmp al, 0x03
    je .no32
    cmp al, 0x04
    je .ok
    cmp al, 0x05
    je .idle
    cmp al, 0x06
    je .ok
    cmp al, 0x07
    je .set_state
    cmp al, 0x08
    je .ok
    cmp al, 0x0A
    je .power_status
    cmp al, 0x0B
    je .no_event
    cmp al, 0x0D
    je .ok
    cmp al, 0x0E
    je .version
    cmp al, 0x0F
    je .ok
    mov ah, 0x0C                          ; function not supported
    stc
    retf 2
.check:
    test bx, bx                           ; device 0000h: the APM BIOS itself
    jnz .bad_device
    mov ax, 0x0102                        ; version 1.2
    mov bx, 0x504D                        ; "PM"
    mov cx, 0x0000                        ; no 16/32-bit protected-mode interface
    clc
    retf 2
.bad_device:
    mov ah, 0x09
    stc
    retf 2
.no16:
    mov ah, 0x06
    stc
    retf 2
.no32:
    mov ah, 0x08
    stc
    retf 2
.idle:
    sti
    hlt
.ok:
    mov ah, 0
    clc
    retf 2
.set_state:
    cmp cx, 0x0003                        ; off
    jne .ok
    mov dx, 0x0604                        ; PM1a_CNT: SLP_TYP 0 (S5 on the PIIX4) | SLP_EN
    mov ax, 0x2000
    out dx, ax
    mov ah, 0x60                          ; still running: cannot enter the state
    stc
    retf 2
.power_status:
    mov bx, 0x01FF                        ; AC on line, battery status unknown
    mov cx, 0x80FF                        ; no system battery, life unknown
    mov dx, 0xFFFF
    mov ah, 0
    clc
    retf 2
.no_event:
    mov ah, 0x80
    stc
    retf 2
.version:
    mov ax, 0x0102
    clc
    retf 2

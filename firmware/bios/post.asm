; Power-on self test: from the reset vector to INT 19h.

post:
    cli
    cld
    ; The CMOS shutdown byte says why the CPU was reset (IBM PC/AT BIOS convention): 05h, 0Ah,
    ; 0Bh and 0Ch resume a program (a 286 leaving protected mode) through 40:67h instead of
    ; starting over. Anything else is a cold or warm boot.
    mov al, 0x80 | CMOS_SHUTDOWN          ; bit 7 keeps NMI masked while we touch CMOS
    out CMOS_INDEX, al
    in al, CMOS_DATA
    mov bl, al
    mov al, 0x80 | CMOS_SHUTDOWN
    out CMOS_INDEX, al
    xor al, al
    out CMOS_DATA, al
    cmp bl, 0x05
    je .resume_eoi
    cmp bl, 0x0A
    je .resume_jmp
    cmp bl, 0x0B
    je .resume_iret
    cmp bl, 0x0C
    je .resume_retf
    jmp .cold

.resume_eoi:
    ; Flush the keyboard controller and end any interrupt in service, then jump.
    in al, KBC_DATA
    mov al, 0x20
    out PIC2_CMD, al
    out PIC1_CMD, al
.resume_jmp:
    call shadow_lock                      ; the reset returned the PAM registers to ROM
    xor ax, ax
    mov ds, ax
    jmp far [BDA_RESUME_PTR]
.resume_iret:
    call shadow_lock
    xor ax, ax
    mov ds, ax
    mov ss, [BDA_RESUME_PTR + 2]
    mov sp, [BDA_RESUME_PTR]
    iret
.resume_retf:
    call shadow_lock
    xor ax, ax
    mov ds, ax
    mov ss, [BDA_RESUME_PTR + 2]
    mov sp, [BDA_RESUME_PTR]
    retf

.cold:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov al, 0x01
    out 0x80, al                          ; POST code 01: CPU in real mode, stack set

    call shadow_copy
    mov al, 0x02
    out 0x80, al

    ; Keep the warm-boot flag (Ctrl-Alt-Del writes 1234h) across the BDA clear.
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov bp, [BDA_RESET_FLAG]

    ; Interrupt vector table: every vector to a plain IRET first, then the BIOS's own.
    xor di, di
    mov cx, 256
.ivt:
    mov word [di], dummy_iret
    mov word [di + 2], 0xF000
    add di, 4
    loop .ivt
    ; Vectors 60h–67h are reserved for user programs and 68h–6Fh, 78h–FFh are unused: zero, so
    ; programs looking for a free vector find them.
    mov di, 0x60 * 4
    mov cx, 16
    xor ax, ax
    rep stosw
    mov di, 0x68 * 4
    mov cx, 16
    rep stosw
    mov di, 0x78 * 4
    mov cx, (0x100 - 0x78) * 2
    rep stosw
    mov si, vector_table
.vectors:
    mov al, [cs:si]
    mov bx, [cs:si + 1]
    add si, 3
    cmp al, 0xFF
    je .vectors_done
    movzx di, al
    shl di, 2
    mov [di], bx
    mov word [di + 2], 0xF000
    jmp .vectors
.vectors_done:
    ; INT 1Eh, 1Dh: parameter tables, not code.
    mov word [0x1E * 4], diskette_params
    mov word [0x1D * 4], video_params
    mov word [0x1F * 4], 0                ; no font for characters 80h–FFh in CGA graphics
    mov word [0x1F * 4 + 2], 0
    mov word [0x43 * 4], 0
    mov word [0x43 * 4 + 2], 0

    ; BIOS data area 0x400–0x4FF and the intra-application area up to 0x5FF.
    mov di, 0x400
    mov cx, 0x100
    xor ax, ax
    rep stosw
    mov [BDA_RESET_FLAG], bp
    mov al, 0x03
    out 0x80, al

    ; Conventional memory from CMOS 15h/16h (640 KiB), less the 1 KiB EBDA.
    mov al, CMOS_BASE_LO + 1
    call cmos_read
    mov ah, al
    mov al, CMOS_BASE_LO
    call cmos_read
    cmp ax, 640
    jbe .base_ok
    mov ax, 640
.base_ok:
    dec ax
    mov [BDA_MEMORY_KB], ax
    shl ax, 6                             ; KiB → paragraphs: the EBDA's segment
    mov [BDA_EBDA_SEG], ax
    mov es, ax
    xor di, di
    mov cx, 512
    xor ax, ax
    rep stosw
    mov byte [es:EBDA_SIZE_KB], 1

    ; Extended memory (CMOS 30h/31h KiB above 1 MiB, capped at 64 MiB; 34h/35h 64 KiB blocks
    ; above 16 MiB). The top ACPI_REGION_KB of RAM holds the ACPI tables: INT 15h 88h/E801h
    ; report memory only up to there, as E820 does.
    mov al, CMOS_ABOVE16_LO + 1
    call cmos_read
    mov ah, al
    mov al, CMOS_ABOVE16_LO
    call cmos_read
    mov bx, ax                            ; 64 KiB blocks above 16 MiB
    mov al, CMOS_EXT_LO + 1
    call cmos_read
    mov ah, al
    mov al, CMOS_EXT_LO
    call cmos_read                        ; AX = KiB above 1 MiB (≤ 0xFFFF)
    test bx, bx
    jz .below16
    dec bx                                ; the ACPI region is the last 64 KiB block
    mov ax, 0x3C00                        ; 15 MiB between 1 MiB and 16 MiB
    jmp .ext_done
.below16:
    cmp ax, ACPI_REGION_KB
    jb .ext_none
    sub ax, ACPI_REGION_KB
    jmp .ext_done
.ext_none:
    xor ax, ax
.ext_done:
    mov [es:EBDA_EXT_KB], ax
    mov [es:EBDA_EXT64K], bx

    ; Keyboard buffer: 16 words at 40:1Eh–40:3Dh (offsets relative to segment 40h).
    mov word [BDA_KB_HEAD], 0x1E
    mov word [BDA_KB_TAIL], 0x1E
    mov word [BDA_KB_START], 0x1E
    mov word [BDA_KB_END], 0x3E
    mov byte [BDA_KB_FLAGS3], 0x10        ; a 101/102-key keyboard is attached

    call detect_serial_parallel
    call equipment_init

    mov al, 0x04
    out 0x80, al
    call pic_init
    call pit_init
    call rtc_init
    mov al, 0x05
    out 0x80, al
    call keyboard_init
    mov al, 0x06
    out 0x80, al

    ; PCI enumeration, PIRQ routing, ACPI, MP and SMBIOS tables: one Swift service call. EBX and
    ; ECX give the F-segment area for the $PIR table and the SMBIOS / MP anchors, ESI and EDI
    ; the E-segment area for the MP configuration table and the SMBIOS structures.
    mov ebx, 0xF0000 + fseg_tables
    mov ecx, fseg_tables_end - fseg_tables
    mov esi, eseg_tables
    mov edi, eseg_tables_end - eseg_tables
    mov ax, SVC_PLATFORM
    call service
    mov al, 0x07
    out 0x80, al

    ; Disks: floppy count in AL, hard disk count in AH, the boot order in EDX (one byte per
    ; device class, FFh ends), CMOS-style floppy types in BL. ES:DI = EBDA for the fixed disk
    ; parameter tables.
    mov es, [BDA_EBDA_SEG]
    xor di, di
    mov ax, SVC_DISKS
    call service
    mov [BDA_HD_COUNT], ah
    mov [es:EBDA_FLOPPIES], al
    mov [es:EBDA_BOOT_ORDER], edx
    test al, al
    jz .no_floppy
    or word [BDA_EQUIPMENT], 0x0001
    dec al
    shl al, 6
    or byte [BDA_EQUIPMENT], al
.no_floppy:
    mov ax, [BDA_EBDA_SEG]
    mov word [0x41 * 4], EBDA_FDPT0
    mov [0x41 * 4 + 2], ax
    mov word [0x46 * 4], EBDA_FDPT1
    mov [0x46 * 4 + 2], ax
    mov al, 0x08
    out 0x80, al

    sti
    ; Option ROMs: the video BIOS at C0000h first, then a text mode, then the rest.
    mov ax, 0xC000
    mov dx, 0xC800
    call option_rom_scan
    xor ax, ax
    mov ds, ax
    mov es, [BDA_EBDA_SEG]
    mov ax, [0x10 * 4 + 2]
    cmp ax, 0xF000
    je .own_video
    mov byte [es:EBDA_VIDEO_ROM], 1
.own_video:
    mov ax, 0x0003
    int 0x10
    mov si, banner
    call print
    mov ax, 0xC800
    mov dx, 0xE000
    call option_rom_scan
    mov al, 0x09
    out 0x80, al

    call shadow_lock
    xor ax, ax
    mov ds, ax
    mov word [BDA_RESET_FLAG], 0
    mov al, 0x0A
    out 0x80, al
    int 0x19
    ; INT 19h does not return; if a hooked one does, fall into INT 18h.
    int 0x18

banner:
    db "Partita BIOS", 13, 10, 0

; Vectors the BIOS installs: vector number, handler offset in F000h. FFh ends.
vector_table:
    db 0x02
    dw int02_handler
    db 0x05
    dw int05_handler
    db 0x08
    dw int08_handler
    db 0x09
    dw int09_handler
    db 0x0A
    dw irq_master_eoi
    db 0x0B
    dw irq_master_eoi
    db 0x0C
    dw irq_master_eoi
    db 0x0D
    dw irq_master_eoi
    db 0x0E
    dw int0e_handler
    db 0x0F
    dw irq7_handler
    db 0x10
    dw int10_handler
    db 0x11
    dw int11_handler
    db 0x12
    dw int12_handler
    db 0x13
    dw int13_handler
    db 0x14
    dw int14_handler
    db 0x15
    dw int15_handler
    db 0x16
    dw int16_handler
    db 0x17
    dw int17_handler
    db 0x18
    dw int18_handler
    db 0x19
    dw int19_handler
    db 0x1A
    dw int1a_handler
    db 0x40
    dw int13_handler
    db 0x70
    dw int70_handler
    db 0x71
    dw int71_handler
    db 0x72
    dw irq_slave_eoi
    db 0x73
    dw irq_slave_eoi
    db 0x74
    dw int74_handler
    db 0x75
    dw int75_handler
    db 0x76
    dw irq_slave_eoi
    db 0x77
    dw irq15_handler
    db 0xFF
    dw 0

; Shadow RAM (i440FX PAM0–PAM6, config 59h–5Fh of 00:00.0): bits 1:0 of a nibble enable reads
; (1) and writes (2) of the segment's RAM. Write-only RAM first so a copy onto itself reads the
; ROM and fills the RAM, then read/write RAM so POST can write tables into the E and F segments.
shadow_copy:
    mov bl, 0x59
    mov cl, 0x20                          ; PAM0 high nibble: F0000–FFFFF
    call i440_write
    mov cl, 0x22
.pam_wo:
    inc bl
    call i440_write
    cmp bl, 0x5F
    jb .pam_wo
    mov ax, 0xC000
.copy:
    mov ds, ax
    mov es, ax
    xor si, si
    xor di, di
    mov cx, 0x4000
    rep movsd
    add ax, 0x1000
    jnz .copy
    mov bl, 0x59
    mov cl, 0x30
    call i440_write
    mov cl, 0x33
.pam_rw:
    inc bl
    call i440_write
    cmp bl, 0x5F
    jb .pam_rw
    ret

; After POST: the BIOS segments E0000h–FFFFFh read RAM and ignore writes, as a ROM would; the
; option ROM area stays read/write (ROMs may keep data there, DOS may use it as upper memory).
shadow_lock:
    push bx
    push cx
    mov bl, 0x59
    mov cl, 0x10
    call i440_write
    mov bl, 0x5E
    mov cl, 0x11
    call i440_write
    mov bl, 0x5F
    call i440_write
    pop cx
    pop bx
    ret

; Writes CL to configuration register BL of the host bridge (bus 0, device 0, function 0).
i440_write:
    push eax
    push dx
    mov eax, 0x80000000
    mov al, bl
    and al, 0xFC
    mov dx, PCI_ADDR
    out dx, eax
    movzx dx, bl
    and dl, 3
    add dx, PCI_DATA
    mov al, cl
    out dx, al
    pop dx
    pop eax
    ret

; COM1–COM4 answer at their scratch register; LPT ports keep a byte written to their data port.
detect_serial_parallel:
    mov si, com_candidates
    mov di, BDA_COM1
.com:
    mov dx, [cs:si]
    test dx, dx
    jz .lpt
    add si, 2
    add dx, 7
    mov al, 0x5A
    out dx, al
    in al, dx
    cmp al, 0x5A
    jne .com
    mov al, 0xA5
    out dx, al
    in al, dx
    cmp al, 0xA5
    jne .com
    sub dx, 7
    mov [di], dx
    add di, 2
    jmp .com
.lpt:
    mov si, lpt_candidates
    mov di, BDA_LPT1
.lpt_next:
    mov dx, [cs:si]
    test dx, dx
    jz .timeouts
    add si, 2
    mov al, 0xAA
    out dx, al
    in al, dx
    cmp al, 0xAA
    jne .lpt_next
    mov [di], dx
    add di, 2
    jmp .lpt_next
.timeouts:
    mov dword [BDA_COM_TIMEOUT], 0x01010101
    mov dword [BDA_LPT_TIMEOUT], 0x14141414
    ; COM1 at 115 200 baud, 8 data bits, no parity, 1 stop bit (divisor 1), FIFOs on, DTR+RTS:
    ; the BIOS mirrors its messages there.
    mov dx, [BDA_COM1]
    test dx, dx
    jz .no_com1
    add dx, 3
    mov al, 0x80
    out dx, al
    sub dx, 3
    mov al, 1
    out dx, al
    inc dx
    xor al, al
    out dx, al
    add dx, 2
    mov al, 0x03
    out dx, al
    dec dx
    mov al, 0xC7
    out dx, al
    add dx, 2
    mov al, 0x03
    out dx, al
.no_com1:
    ret

com_candidates: dw 0x3F8, 0x2F8, 0x3E8, 0x2E8, 0
lpt_candidates: dw 0x3BC, 0x378, 0x278, 0

; Equipment word (INT 11h): FPU (bit 1), PS/2 mouse (bit 2), 80x25 colour (bits 5:4 = 10b),
; serial ports (bits 11:9), parallel ports (bits 15:14). Floppies are added after the disk call.
equipment_init:
    mov ax, 0x0024
    fninit
    mov word [0x500], 0x5A5A
    fnstsw [0x500]
    cmp byte [0x500], 0
    jne .no_fpu
    or al, 0x02
.no_fpu:
    mov word [0x500], 0
    xor cx, cx
    mov si, BDA_COM1
.count_com:
    cmp word [si], 0
    je .com_done
    inc cx
    add si, 2
    cmp si, BDA_COM1 + 8
    jb .count_com
.com_done:
    shl cx, 9
    or ax, cx
    xor cx, cx
    mov si, BDA_LPT1
.count_lpt:
    cmp word [si], 0
    je .lpt_done
    inc cx
    add si, 2
    cmp si, BDA_LPT1 + 6
    jb .count_lpt
.lpt_done:
    shl cx, 14
    or ax, cx
    mov [BDA_EQUIPMENT], ax
    ret

; 8259A pair: edge triggered, cascaded on IRQ2, vectors 08h–0Fh and 70h–77h, 8086 mode. Unmasked:
; timer, keyboard, cascade, floppy (master); RTC, mouse, FPU, IDE (slave).
pic_init:
    mov al, 0x11
    out PIC1_CMD, al
    out PIC2_CMD, al
    mov al, 0x08
    out PIC1_DATA, al
    mov al, 0x70
    out PIC2_DATA, al
    mov al, 0x04
    out PIC1_DATA, al
    mov al, 0x02
    out PIC2_DATA, al
    mov al, 0x01
    out PIC1_DATA, al
    out PIC2_DATA, al
    mov al, 0xB8                          ; IRQ 0, 1, 2, 6 enabled
    out PIC1_DATA, al
    mov al, 0x8E                          ; IRQ 8, 12, 13, 14 enabled
    out PIC2_DATA, al
    ret

; PIT channel 0, mode 3 (square wave), count 65536: IRQ0 at 1 193 182 / 65 536 = 18.2 Hz.
pit_init:
    mov al, 0x36
    out PIT_CMD, al
    xor al, al
    out PIT_CH0, al
    out PIT_CH0, al
    ret

; RTC: 32.768 kHz time base with a 1024 Hz periodic rate (register A = 26h), 24-hour BCD with no
; interrupts enabled (register B = 02h); reading C and D clears pending flags. The tick count
; starts at the time of day, as DOS expects.
rtc_init:
    mov al, 0x0A
    mov ah, 0x26
    call cmos_write
    mov al, 0x0B
    call cmos_read
    and al, 0x01                          ; keep daylight saving
    or al, 0x02
    mov ah, al
    mov al, 0x0B
    call cmos_write
    mov al, 0x0C
    call cmos_read
    mov al, 0x0D
    call cmos_read
    call rtc_wait_update
    mov al, 0x04
    call cmos_read
    call bcd_to_bin
    movzx eax, al
    imul eax, eax, 60
    mov ebx, eax
    mov al, 0x02
    call cmos_read
    call bcd_to_bin
    movzx eax, al
    add eax, ebx
    imul eax, eax, 60
    mov ebx, eax
    mov al, 0x00
    call cmos_read
    call bcd_to_bin
    movzx eax, al
    add eax, ebx                          ; seconds since midnight
    ; ticks = seconds × 1 193 180 / 65 536 (= × 18.2065)
    mov ecx, 1193180
    mul ecx
    shrd eax, edx, 16
    mov [BDA_TICKS], eax
    ret

; 8042: self test (AAh → 55h), keyboard interface test (ABh → 00h), command byte 65h (translate
; to set 1, system flag, keyboard interrupt on, mouse port disabled), then reset the keyboard
; (FFh → FAh AAh) and enable scanning (F4h → FAh).
keyboard_init:
    call kbc_flush
    mov al, 0xAA
    call kbc_command
    call kbc_read
    mov al, 0xAB
    call kbc_command
    call kbc_read
    mov al, 0x60
    call kbc_command
    mov al, 0x65
    call kbc_write_data
    mov al, 0xFF
    call kbc_write_data
    call kbc_read                         ; FAh
    call kbc_read                         ; AAh (self test passed)
    mov al, 0xF4
    call kbc_write_data
    call kbc_read                         ; FAh
    call kbc_flush
    ret

; Runs the option ROMs from segment AX up to (not including) segment DX, in 2 KiB steps: a ROM
; starts with 55h AAh and its length in 512-byte blocks, its bytes sum to zero, and its
; initialisation entry is a far call to offset 3.
option_rom_scan:
.next:
    cmp ax, dx
    jae .done
    mov es, ax
    cmp word [es:0], 0xAA55
    jne .skip
    movzx cx, byte [es:2]
    jcxz .skip
    shl cx, 9                             ; bytes (≤ 127.5 KiB)
    xor bl, bl
    xor si, si
.sum:
    add bl, [es:si]
    inc si
    loop .sum
    test bl, bl
    jnz .skip
    pushad
    push ds
    push es
    push es
    push word 3
    mov bp, sp
    call far [ss:bp]
    add sp, 4
    pop es
    pop ds
    popad
    cli
    xor bx, bx
    mov ds, bx
    sti
    ; The ROM may have shrunk its length byte to what it keeps resident.
    movzx cx, byte [es:2]
    add cx, 3
    shr cx, 2                             ; 2 KiB units, rounded up
    jnz .advance
.skip:
    mov cx, 1
.advance:
    shl cx, 7
    add ax, cx
    jmp .next
.done:
    ret

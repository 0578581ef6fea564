; INT 19h bootstrap loader and INT 18h "no bootable device".
;
; The boot order (EBDA_BOOT_ORDER) lists device classes: floppy drive 00h, hard disk 80h, CD-ROM
; (El Torito). A floppy or hard disk boots when sector 1 reads into 0000:7C00 and ends with the
; 55h AAh signature; a CD-ROM when the Swift side finds and loads a bootable El Torito image.
; The boot sector gets DL = its drive, as every PC BIOS passes it.

int19_handler:
    sti
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    mov es, [BDA_EBDA_SEG]
    mov si, EBDA_BOOT_ORDER
.next:
    cmp si, EBDA_BOOT_ORDER + 4
    jae .nothing
    mov al, [es:si]
    inc si
    cmp al, BOOT_FLOPPY
    je .floppy
    cmp al, BOOT_DISK
    je .disk
    cmp al, BOOT_CDROM
    je .cdrom
    jmp .nothing

.floppy:
    cmp byte [es:EBDA_FLOPPIES], 0
    je .next
    mov dl, 0x00
    jmp .try_sector
.disk:
    cmp byte [BDA_HD_COUNT], 0
    je .next
    mov dl, 0x80
.try_sector:
    push es
    push si
    mov di, 3                             ; three attempts, resetting in between
.attempt:
    xor ax, ax
    mov es, ax
    mov ax, 0x0201
    mov bx, 0x7C00
    mov cx, 0x0001
    xor dh, dh
    int 0x13
    jnc .read
    xor ax, ax
    int 0x13
    dec di
    jnz .attempt
    pop si
    pop es
    jmp .next
.read:
    pop si
    pop es
    cmp word [0x7DFE], 0xAA55
    jne .no_signature
    push dx
    mov si, msg_booting
    call print
    pop dx
    push dx
    mov al, dl
    call print_hex_byte
    mov si, msg_crlf
    call print
    pop dx
    jmp .jump
.no_signature:
    push si
    mov si, msg_no_signature
    call print
    pop si
    jmp .next

.cdrom:
    ; The Swift side reads the boot catalog, loads the image and starts the emulation when
    ; the entry asks for it; it returns DL = the boot drive, BX = the load segment.
    push es
    push si
    mov ax, SVC_ELTORITO
    call service
    pop si
    pop es
    jc .next
    push dx
    push bx
    mov si, msg_booting_cd
    call print
    pop bx
    pop dx
    xor ax, ax
    mov ds, ax
    mov es, ax
    push bx
    push word 0
    retf

.jump:
    xor ax, ax
    mov ds, ax
    mov es, ax
    xor dh, dh
    jmp 0x0000:0x7C00

.nothing:
    int 0x18

; INT 18h: nothing could be booted. Say so on the screen and COM1, then wait for a key and
; try again.
int18_handler:
    sti
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    mov si, msg_no_boot
    call print
.wait:
    mov ah, 0x00
    int 0x16
    int 0x19

; Prints AL as two hex digits.
print_hex_byte:
    push ax
    shr al, 4
    call .digit
    pop ax
    and al, 0x0F
.digit:
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    jmp print_char

msg_booting:      db "Booting from drive ", 0
msg_booting_cd:   db "Booting from CD-ROM", 13, 10, 0
msg_crlf:         db "h", 13, 10, 0
msg_no_signature: db "Boot sector has no 55AA signature", 13, 10, 0
msg_no_boot:      db "No bootable device.", 13, 10, 0

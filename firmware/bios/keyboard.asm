; Keyboard: INT 09h (IRQ 1) turns set-1 scan codes into BIOS keystrokes; INT 16h hands them out.
;
; Shift state lives in 40:17h (bit 0 right shift, 1 left shift, 2 Ctrl, 3 Alt, 4 Scroll Lock,
; 5 Num Lock, 6 Caps Lock, 7 Insert), 40:18h (keys held: 0 left Ctrl, 1 left Alt, 2 SysReq,
; 3 paused, 4 Scroll, 5 Num, 6 Caps, 7 Insert) and 40:96h (0 last code E1h, 1 last code E0h,
; 2 right Ctrl, 3 right Alt, 4 101-key keyboard). The buffer is the ring 40:1Eh–40:3Dh with head
; 40:1Ah and tail 40:1Ch (offsets in segment 40h). A keystroke is scan code << 8 | character.

int09_handler:
    sti
    push ds
    push es
    pusha
    xor ax, ax
    mov ds, ax
    mov al, 0xAD                          ; disable the keyboard while we work (8042)
    call kbc_command
    in al, KBC_DATA
    ; INT 15h AH=4Fh lets a program see (and change or swallow) the code: CF=0 swallows it.
    mov ah, 0x4F
    stc
    int 0x15
    jnc .done
    call kb_process
.done:
    cli
    mov al, 0x20
    out PIC1_CMD, al
    mov al, 0xAE
    call kbc_command
    popa
    pop es
    pop ds
    iret

; AL = scan code. DS = 0.
kb_process:
    cmp al, 0xE0
    jne .not_e0
    or byte [BDA_KB_FLAGS3], 0x02
    ret
.not_e0:
    cmp al, 0xE1
    jne .not_e1
    or byte [BDA_KB_FLAGS3], 0x01
    ret
.not_e1:
    test byte [BDA_KB_FLAGS3], 0x01
    jz .not_pause_seq
    ; Pause sends E1 1D 45 E1 9D C5: swallow it up to the final 45h / C5h.
    mov ah, al
    and ah, 0x7F
    cmp ah, 0x45
    jne .ret
    and byte [BDA_KB_FLAGS3], 0xFE
    ret
.not_pause_seq:
    mov bl, [BDA_KB_FLAGS3]
    and byte [BDA_KB_FLAGS3], 0xFC        ; the prefix applies to this code only
    and bl, 0x02                          ; BL = 2 when E0-prefixed
    mov ah, al
    and ah, 0x7F                          ; AH = key, AL bit 7 = release
    ; E0 2A / E0 AA / E0 36 / E0 B6 are "fake shifts" around gray keys: ignore.
    test bl, bl
    jz .no_fake
    cmp ah, 0x2A
    je .ret
    cmp ah, 0x36
    je .ret
.no_fake:
    cmp ah, 0x2A
    je .lshift
    cmp ah, 0x36
    je .rshift
    cmp ah, 0x1D
    je .ctrl
    cmp ah, 0x38
    je .alt
    test al, 0x80
    jnz .release_other
    cmp ah, 0x3A
    je .caps
    cmp ah, 0x45
    je .num
    cmp ah, 0x46
    je .scroll
    jmp kb_make
.release_other:
    cmp ah, 0x3A
    je .caps_up
    cmp ah, 0x45
    je .num_up
    cmp ah, 0x46
    je .scroll_up
    cmp ah, 0x52
    je .ins_up
    cmp ah, 0x54
    je .sysreq_up
.ret:
    ret

.lshift:
    mov cl, 0x02
    jmp .shift_bit
.rshift:
    mov cl, 0x01
.shift_bit:
    test al, 0x80
    jnz .shift_up
    or [BDA_KB_FLAGS0], cl
    ret
.shift_up:
    not cl
    and [BDA_KB_FLAGS0], cl
    ret

.ctrl:
    test bl, bl
    jnz .rctrl
    test al, 0x80
    jnz .lctrl_up
    or byte [BDA_KB_FLAGS1], 0x01
    jmp .ctrl_sum
.lctrl_up:
    and byte [BDA_KB_FLAGS1], 0xFE
    jmp .ctrl_sum
.rctrl:
    test al, 0x80
    jnz .rctrl_up
    or byte [BDA_KB_FLAGS3], 0x04
    jmp .ctrl_sum
.rctrl_up:
    and byte [BDA_KB_FLAGS3], 0xFB
.ctrl_sum:
    ; 40:17h bit 2 = either Ctrl held.
    and byte [BDA_KB_FLAGS0], 0xFB
    test byte [BDA_KB_FLAGS1], 0x01
    jnz .ctrl_on
    test byte [BDA_KB_FLAGS3], 0x04
    jz .ret
.ctrl_on:
    or byte [BDA_KB_FLAGS0], 0x04
    ret

.alt:
    test bl, bl
    jnz .ralt
    test al, 0x80
    jnz .lalt_up
    or byte [BDA_KB_FLAGS1], 0x02
    jmp .alt_sum
.lalt_up:
    and byte [BDA_KB_FLAGS1], 0xFD
    jmp .alt_sum
.ralt:
    test al, 0x80
    jnz .ralt_up
    or byte [BDA_KB_FLAGS3], 0x08
    jmp .alt_sum
.ralt_up:
    and byte [BDA_KB_FLAGS3], 0xF7
.alt_sum:
    and byte [BDA_KB_FLAGS0], 0xF7
    test byte [BDA_KB_FLAGS1], 0x02
    jnz .alt_on
    test byte [BDA_KB_FLAGS3], 0x08
    jz .alt_released
.alt_on:
    or byte [BDA_KB_FLAGS0], 0x08
    ret
.alt_released:
    ; Alt + keypad digits typed a character code (40:19h): store it on release of Alt.
    mov al, [BDA_KB_ALTNUM]
    mov byte [BDA_KB_ALTNUM], 0
    test al, al
    jz .ret
    xor ah, ah
    jmp kb_store

; Lock keys toggle on the make code once per press (the held bit stops typematic repeats).
.caps:
    mov cl, 0x40
    jmp .lock
.num:
    ; Ctrl+NumLock is Pause on 83-key keyboards; treat NumLock plainly.
    mov cl, 0x20
    jmp .lock
.scroll:
    test bl, bl
    jnz .ctrl_break                       ; E0 46 is Ctrl+Break
    test byte [BDA_KB_FLAGS0], 0x04
    jnz .ctrl_break
    mov cl, 0x10
.lock:
    test [BDA_KB_FLAGS1], cl
    jnz .ret
    or [BDA_KB_FLAGS1], cl
    xor [BDA_KB_FLAGS0], cl
    jmp kb_update_leds
.caps_up:
    and byte [BDA_KB_FLAGS1], 0xBF
    ret
.num_up:
    and byte [BDA_KB_FLAGS1], 0xDF
    ret
.scroll_up:
    and byte [BDA_KB_FLAGS1], 0xEF
    ret
.ins_up:
    and byte [BDA_KB_FLAGS1], 0x7F
    ret
.sysreq_up:
    and byte [BDA_KB_FLAGS1], 0xFB
    mov ax, 0x8501                        ; INT 15h AH=85h AL=01h: SysReq released
    int 0x15
    ret

.ctrl_break:
    ; Empty the buffer, store 0000h, flag the break in 40:71h and call INT 1Bh.
    mov ax, [BDA_KB_START]
    mov [BDA_KB_HEAD], ax
    mov [BDA_KB_TAIL], ax
    or byte [BDA_BREAK], 0x80
    xor ax, ax
    call kb_store
    int 0x1B
    ret

; A make code of an ordinary key. AH = key, BL = 2 when E0-prefixed.
kb_make:
    mov dl, [BDA_KB_FLAGS0]
    ; Ctrl+Alt+Del: warm boot (40:72h = 1234h skips the memory test).
    mov cl, dl
    and cl, 0x0C
    cmp cl, 0x0C
    jne .not_cad
    cmp ah, 0x53
    jne .not_cad
    mov word [BDA_RESET_FLAG], 0x1234
    jmp 0xF000:reset_vector
.not_cad:
    cmp ah, 0x54
    jne .not_sysreq
    test byte [BDA_KB_FLAGS1], 0x04
    jnz .ret
    or byte [BDA_KB_FLAGS1], 0x04
    mov ax, 0x8500                        ; SysReq pressed
    int 0x15
.ret:
    ret
.not_sysreq:
    test bl, bl
    jz .plain
    cmp ah, 0x37
    jne .not_prtsc
    int 0x05                              ; E0 37: Print Screen
    ret
.not_prtsc:
    cmp ah, 0x1C
    je .kp_enter
    cmp ah, 0x35
    je .kp_slash
    cmp ah, 0x47
    jb .ret
    cmp ah, 0x53
    ja .ret
    ; Gray cursor-block keys: their own table (character E0h marks them for INT 16h 10h).
    cmp ah, 0x52
    jne .gray_lookup
    test byte [BDA_KB_FLAGS1], 0x80
    jnz .ret
    or byte [BDA_KB_FLAGS1], 0x80
    test dl, 0x0C
    jnz .gray_lookup
    xor byte [BDA_KB_FLAGS0], 0x80        ; Insert toggles insert mode
.gray_lookup:
    movzx si, ah
    sub si, 0x47
    shl si, 3
    add si, gray_keys
    jmp .pick
.kp_enter:
    mov si, kp_enter_key
    jmp .pick
.kp_slash:
    mov si, kp_slash_key
    jmp .pick

.plain:
    cmp ah, 0x58
    ja .ret
    test dl, 0x08
    jz .no_altnum
    ; Alt + keypad digit: accumulate the decimal character code in 40:19h.
    cmp ah, 0x47
    jb .no_altnum
    cmp ah, 0x52
    ja .no_altnum
    movzx si, ah
    mov cl, [cs:si + keypad_digits - 0x47]
    cmp cl, 0xFF
    je .no_altnum
    mov al, [BDA_KB_ALTNUM]
    mov ch, 10
    mul ch
    add al, cl
    mov [BDA_KB_ALTNUM], al
    ret
.no_altnum:
    cmp ah, 0x52
    jne .not_ins
    test byte [BDA_KB_FLAGS1], 0x80
    jnz .ret
    or byte [BDA_KB_FLAGS1], 0x80
.not_ins:
    movzx si, ah
    shl si, 3
    add si, key_table - 8
.pick:
    ; Column: Alt (6), Ctrl (4), Shift (2), normal (0); Caps Lock inverts Shift for letters,
    ; Num Lock inverts it for the keypad.
    test dl, 0x08
    jz .not_alt
    mov ax, [cs:si + 6]
    jmp .got
.not_alt:
    test dl, 0x04
    jz .not_ctrl
    mov ax, [cs:si + 4]
    jmp .got
.not_ctrl:
    mov cl, dl
    and cl, 0x03
    setnz cl                              ; CL = shift held
    mov ax, [cs:si]
    cmp al, 'a'
    jb .not_letter
    cmp al, 'z'
    ja .not_letter
    test dl, 0x40
    jz .shift_pick
    xor cl, 1
    jmp .shift_pick
.not_letter:
    test bl, bl
    jnz .shift_pick
    cmp ah, 0x47
    jb .shift_pick
    cmp ah, 0x53
    ja .shift_pick
    cmp ah, 0x4A
    je .shift_pick
    cmp ah, 0x4E
    je .shift_pick
    test dl, 0x20
    jz .shift_pick
    xor cl, 1
.shift_pick:
    test cl, cl
    jz .got
    mov ax, [cs:si + 2]
.got:
    test ax, ax
    jz .ret
    jmp kb_store

; Stores keystroke AX at the buffer's tail unless the buffer is full.
kb_store:
    mov si, [BDA_KB_TAIL]
    mov di, si
    add di, 2
    cmp di, [BDA_KB_END]
    jb .no_wrap
    mov di, [BDA_KB_START]
.no_wrap:
    cmp di, [BDA_KB_HEAD]
    je .full
    mov [si + 0x400], ax
    mov [BDA_KB_TAIL], di
    ; Tell a multitasker a key arrived (INT 15h AH=91h AL=02h, "keyboard" post).
    mov ax, 0x9102
    int 0x15
.full:
    ret

; Sends the lock states to the keyboard LEDs (EDh, then bit 0 Scroll, 1 Num, 2 Caps).
kb_update_leds:
    mov al, [BDA_KB_FLAGS0]
    shr al, 4
    and al, 0x07
    mov ah, [BDA_KB_LEDS]
    and ah, 0x07
    cmp al, ah
    je .same
    and byte [BDA_KB_LEDS], 0xF8
    or [BDA_KB_LEDS], al
    push ax
    mov al, 0xAE                          ; the keyboard must be enabled to answer
    call kbc_command
    mov al, 0xED
    call kbc_write_data
    call kbc_read
    pop ax
    call kbc_write_data
    call kbc_read
.same:
    ret

; INT 16h keyboard services.
int16_handler:
    sti
    push ds
    push bx
    push ax
    xor ax, ax
    mov ds, ax
    pop ax
    cmp ah, 0x00
    je .read
    cmp ah, 0x10
    je .read
    cmp ah, 0x01
    je .peek
    cmp ah, 0x11
    je .peek
    cmp ah, 0x02
    je .shift
    cmp ah, 0x12
    je .shift_ext
    cmp ah, 0x05
    je .push_key
    cmp ah, 0x03
    je .typematic
    cmp ah, 0x09
    je .functions
    cmp ah, 0x0A
    je .id
    jmp .iret

.read:
    push ax                               ; [SP] = the function (00h or 10h) in AH
.wait:
    cli
    mov bx, [BDA_KB_HEAD]
    cmp bx, [BDA_KB_TAIL]
    jne .have
    ; Nothing yet: tell a multitasker we wait (INT 15h 90h), then sleep until an interrupt.
    ; STI takes effect after HLT starts, so a key cannot slip in between.
    mov ax, 0x9002
    int 0x15
    sti
    hlt
    jmp .wait
.have:
    mov ax, [bx + 0x400]
    call kb_next
    mov [BDA_KB_HEAD], bx
    sti
    pop bx                                ; BH = the function
    test bh, 0x10
    jnz .iret
    call kb_legacy
    jnc .iret
    mov ah, 0x00                          ; a key the 84-key functions do not report: next
    jmp .read

.peek:
    push ax
.peek_again:
    cli
    mov bx, [BDA_KB_HEAD]
    cmp bx, [BDA_KB_TAIL]
    je .empty
    mov ax, [bx + 0x400]
    pop bx
    push bx
    test bh, 0x10
    jnz .found
    call kb_legacy
    jnc .found
    mov bx, [BDA_KB_HEAD]                 ; drop it and look again
    call kb_next
    mov [BDA_KB_HEAD], bx
    jmp .peek_again
.found:
    add sp, 2
    sti
    pop bx
    pop ds
    or sp, sp                             ; ZF=0: a key is waiting (SP is never 0 here)
    retf 2
.empty:
    pop ax
    sti
    pop bx
    pop ds
    cmp ax, ax                            ; ZF=1: no key
    retf 2

.shift:
    mov al, [BDA_KB_FLAGS0]
    jmp .iret
.shift_ext:
    mov al, [BDA_KB_FLAGS1]
    and al, 0x73                          ; left Ctrl, left Alt, Scroll/Num/Caps held
    mov ah, [BDA_KB_FLAGS3]
    and ah, 0x0C                          ; right Ctrl, right Alt
    or al, ah
    test byte [BDA_KB_FLAGS1], 0x04
    jz .no_sysreq
    or al, 0x80
.no_sysreq:
    mov ah, al
    mov al, [BDA_KB_FLAGS0]
    jmp .iret

.push_key:
    push si
    mov si, [BDA_KB_TAIL]
    mov bx, si
    call kb_next
    mov al, 1                             ; AL=1: buffer full
    cmp bx, [BDA_KB_HEAD]
    je .pk_done
    mov [si + 0x400], cx
    mov [BDA_KB_TAIL], bx
    xor al, al
.pk_done:
    pop si
    jmp .iret

.typematic:
    cmp al, 0x05                          ; AL=05h: BH = delay, BL = rate
    jne .iret
    push ax
    mov al, 0xF3
    call kbc_write_data
    call kbc_read
    mov al, bh
    and al, 0x03
    shl al, 5
    mov ah, bl
    and ah, 0x1F
    or al, ah
    call kbc_write_data
    call kbc_read
    pop ax
    jmp .iret

.functions:
    mov al, 0x2C                          ; 03h/05h, 0Ah, 10h–12h supported
    jmp .iret
.id:
    mov bx, 0x41AB                        ; MF2 keyboard, translation on
    add sp, 2
    pop ds
    iret

.iret:
    pop bx
    pop ds
    iret

; BX = buffer offset → the next slot (wrapping at the end).
kb_next:
    add bx, 2
    cmp bx, [BDA_KB_END]
    jb .ok
    mov bx, [BDA_KB_START]
.ok:
    ret

; For INT 16h 00h/01h: keys of the enhanced keyboard are reported as the 84-key BIOS did (gray
; keys' E0h character becomes 00h) or not at all (F11/F12 and other new codes: CF=1).
kb_legacy:
    cmp ah, 0xE0
    jne .not_kp
    mov ah, 0x1C                          ; keypad Enter / slash carry scan E0h
    cmp al, 0x2F
    jne .ok
    mov ah, 0x35
    jmp .ok
.not_kp:
    cmp ah, 0x84
    ja .reject
    cmp al, 0xE0
    jne .ok
    test ah, ah
    jz .ok
    xor al, al
.ok:
    clc
    ret
.reject:
    stc
    ret

; Digit value of keypad keys 47h–52h for Alt+keypad entry (FFh: not a digit).
keypad_digits:
    db 7, 8, 9, 0xFF, 4, 5, 6, 0xFF, 1, 2, 3, 0

; Keystrokes for set-1 make codes 01h–58h: normal, Shift, Ctrl, Alt (0 = none).
key_table:
    dw 0x011B, 0x011B, 0x011B, 0x0100     ; 01 Esc
    dw 0x0231, 0x0221, 0x0000, 0x7800     ; 02 1 !
    dw 0x0332, 0x0340, 0x0300, 0x7900     ; 03 2 @
    dw 0x0433, 0x0423, 0x0000, 0x7A00     ; 04 3 #
    dw 0x0534, 0x0524, 0x0000, 0x7B00     ; 05 4 $
    dw 0x0635, 0x0625, 0x0000, 0x7C00     ; 06 5 %
    dw 0x0736, 0x075E, 0x071E, 0x7D00     ; 07 6 ^
    dw 0x0837, 0x0826, 0x0000, 0x7E00     ; 08 7 &
    dw 0x0938, 0x092A, 0x0000, 0x7F00     ; 09 8 *
    dw 0x0A39, 0x0A28, 0x0000, 0x8000     ; 0A 9 (
    dw 0x0B30, 0x0B29, 0x0000, 0x8100     ; 0B 0 )
    dw 0x0C2D, 0x0C5F, 0x0C1F, 0x8200     ; 0C - _
    dw 0x0D3D, 0x0D2B, 0x0000, 0x8300     ; 0D = +
    dw 0x0E08, 0x0E08, 0x0E7F, 0x0E00     ; 0E Backspace
    dw 0x0F09, 0x0F00, 0x9400, 0xA500     ; 0F Tab
    dw 0x1071, 0x1051, 0x1011, 0x1000     ; 10 q
    dw 0x1177, 0x1157, 0x1117, 0x1100     ; 11 w
    dw 0x1265, 0x1245, 0x1205, 0x1200     ; 12 e
    dw 0x1372, 0x1352, 0x1312, 0x1300     ; 13 r
    dw 0x1474, 0x1454, 0x1414, 0x1400     ; 14 t
    dw 0x1579, 0x1559, 0x1519, 0x1500     ; 15 y
    dw 0x1675, 0x1655, 0x1615, 0x1600     ; 16 u
    dw 0x1769, 0x1749, 0x1709, 0x1700     ; 17 i
    dw 0x186F, 0x184F, 0x180F, 0x1800     ; 18 o
    dw 0x1970, 0x1950, 0x1910, 0x1900     ; 19 p
    dw 0x1A5B, 0x1A7B, 0x1A1B, 0x1A00     ; 1A [ {
    dw 0x1B5D, 0x1B7D, 0x1B1D, 0x1B00     ; 1B ] }
    dw 0x1C0D, 0x1C0D, 0x1C0A, 0x1C00     ; 1C Enter
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 1D Ctrl
    dw 0x1E61, 0x1E41, 0x1E01, 0x1E00     ; 1E a
    dw 0x1F73, 0x1F53, 0x1F13, 0x1F00     ; 1F s
    dw 0x2064, 0x2044, 0x2004, 0x2000     ; 20 d
    dw 0x2166, 0x2146, 0x2106, 0x2100     ; 21 f
    dw 0x2267, 0x2247, 0x2207, 0x2200     ; 22 g
    dw 0x2368, 0x2348, 0x2308, 0x2300     ; 23 h
    dw 0x246A, 0x244A, 0x240A, 0x2400     ; 24 j
    dw 0x256B, 0x254B, 0x250B, 0x2500     ; 25 k
    dw 0x266C, 0x264C, 0x260C, 0x2600     ; 26 l
    dw 0x273B, 0x273A, 0x0000, 0x2700     ; 27 ; :
    dw 0x2827, 0x2822, 0x0000, 0x2800     ; 28 ' "
    dw 0x2960, 0x297E, 0x0000, 0x2900     ; 29 ` ~
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 2A left Shift
    dw 0x2B5C, 0x2B7C, 0x2B1C, 0x2B00     ; 2B \ |
    dw 0x2C7A, 0x2C5A, 0x2C1A, 0x2C00     ; 2C z
    dw 0x2D78, 0x2D58, 0x2D18, 0x2D00     ; 2D x
    dw 0x2E63, 0x2E43, 0x2E03, 0x2E00     ; 2E c
    dw 0x2F76, 0x2F56, 0x2F16, 0x2F00     ; 2F v
    dw 0x3062, 0x3042, 0x3002, 0x3000     ; 30 b
    dw 0x316E, 0x314E, 0x310E, 0x3100     ; 31 n
    dw 0x326D, 0x324D, 0x320D, 0x3200     ; 32 m
    dw 0x332C, 0x333C, 0x0000, 0x3300     ; 33 , <
    dw 0x342E, 0x343E, 0x0000, 0x3400     ; 34 . >
    dw 0x352F, 0x353F, 0x0000, 0x3500     ; 35 / ?
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 36 right Shift
    dw 0x372A, 0x372A, 0x9600, 0x3700     ; 37 keypad *
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 38 Alt
    dw 0x3920, 0x3920, 0x3920, 0x3920     ; 39 Space
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 3A Caps Lock
    dw 0x3B00, 0x5400, 0x5E00, 0x6800     ; 3B F1
    dw 0x3C00, 0x5500, 0x5F00, 0x6900     ; 3C F2
    dw 0x3D00, 0x5600, 0x6000, 0x6A00     ; 3D F3
    dw 0x3E00, 0x5700, 0x6100, 0x6B00     ; 3E F4
    dw 0x3F00, 0x5800, 0x6200, 0x6C00     ; 3F F5
    dw 0x4000, 0x5900, 0x6300, 0x6D00     ; 40 F6
    dw 0x4100, 0x5A00, 0x6400, 0x6E00     ; 41 F7
    dw 0x4200, 0x5B00, 0x6500, 0x6F00     ; 42 F8
    dw 0x4300, 0x5C00, 0x6600, 0x7000     ; 43 F9
    dw 0x4400, 0x5D00, 0x6700, 0x7100     ; 44 F10
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 45 Num Lock
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 46 Scroll Lock
    dw 0x4700, 0x4737, 0x7700, 0x0000     ; 47 keypad 7 / Home
    dw 0x4800, 0x4838, 0x8D00, 0x0000     ; 48 keypad 8 / Up
    dw 0x4900, 0x4939, 0x8400, 0x0000     ; 49 keypad 9 / PgUp
    dw 0x4A2D, 0x4A2D, 0x8E00, 0x4A00     ; 4A keypad -
    dw 0x4B00, 0x4B34, 0x7300, 0x0000     ; 4B keypad 4 / Left
    dw 0x4C00, 0x4C35, 0x8F00, 0x0000     ; 4C keypad 5
    dw 0x4D00, 0x4D36, 0x7400, 0x0000     ; 4D keypad 6 / Right
    dw 0x4E2B, 0x4E2B, 0x9000, 0x4E00     ; 4E keypad +
    dw 0x4F00, 0x4F31, 0x7500, 0x0000     ; 4F keypad 1 / End
    dw 0x5000, 0x5032, 0x9100, 0x0000     ; 50 keypad 2 / Down
    dw 0x5100, 0x5133, 0x7600, 0x0000     ; 51 keypad 3 / PgDn
    dw 0x5200, 0x5230, 0x9200, 0x0000     ; 52 keypad 0 / Ins
    dw 0x5300, 0x532E, 0x9300, 0x0000     ; 53 keypad . / Del
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 54 SysReq
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; 55
    dw 0x565C, 0x567C, 0x0000, 0x0000     ; 56 102nd key \ |
    dw 0x8500, 0x8700, 0x8900, 0x8B00     ; 57 F11
    dw 0x8600, 0x8800, 0x8A00, 0x8C00     ; 58 F12

; E0-prefixed gray keys 47h–53h (same columns).
gray_keys:
    dw 0x47E0, 0x47E0, 0x77E0, 0x9700     ; Home
    dw 0x48E0, 0x48E0, 0x8DE0, 0x9800     ; Up
    dw 0x49E0, 0x49E0, 0x84E0, 0x9900     ; PgUp
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; (4A)
    dw 0x4BE0, 0x4BE0, 0x73E0, 0x9B00     ; Left
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; (4C)
    dw 0x4DE0, 0x4DE0, 0x74E0, 0x9D00     ; Right
    dw 0x0000, 0x0000, 0x0000, 0x0000     ; (4E)
    dw 0x4FE0, 0x4FE0, 0x75E0, 0x9F00     ; End
    dw 0x50E0, 0x50E0, 0x91E0, 0xA000     ; Down
    dw 0x51E0, 0x51E0, 0x76E0, 0xA100     ; PgDn
    dw 0x52E0, 0x52E0, 0x92E0, 0xA200     ; Insert
    dw 0x53E0, 0x53E0, 0x93E0, 0xA300     ; Delete
kp_enter_key:
    dw 0xE00D, 0xE00D, 0xE00A, 0xA600
kp_slash_key:
    dw 0xE02F, 0xE02F, 0x9500, 0xA400

;; The two inner loops of the ReLU-linear path (relu-linear-path.ts) in WebAssembly SIMD, two float64 lanes at a time.
;; V8 does not vectorize the JavaScript versions, which spent ~4 ns per value. Assembled to relu-linear-kernel.wasm by
;; `npm run build:wasm`; a test checks that the committed binary is this text's.
;;
;; Coefficients c0, c1, c2 are float64 arrays of `o` values; w, dw and out are float32 arrays. Addresses are in bytes.
(module
  (memory (export "memory") 1)

  ;; c0 += a·w; c1 += a·dw + d·w; c2 += d·dw — one hidden unit's quadratic (a + x·d)·(w + x·dw) added to the running one.
  (func (export "addUnit") (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $w i32) (param $dw i32) (param $o i32) (param $a f64) (param $d f64)
    (local $k i32) (local $av v128) (local $dv v128) (local $wv v128) (local $dwv v128) (local $at i32) (local $wat i32)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $dv (f64x2.splat (local.get $d)))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $o)))
        (local.set $at (i32.shl (local.get $k) (i32.const 3)))
        (local.set $wat (i32.shl (local.get $k) (i32.const 2)))
        (local.set $wv (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $wat)))))
        (local.set $dwv (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $dw) (local.get $wat)))))
        (v128.store (i32.add (local.get $c0) (local.get $at))
          (f64x2.add (v128.load (i32.add (local.get $c0) (local.get $at))) (f64x2.mul (local.get $av) (local.get $wv))))
        (v128.store (i32.add (local.get $c1) (local.get $at))
          (f64x2.add (v128.load (i32.add (local.get $c1) (local.get $at)))
            (f64x2.add (f64x2.mul (local.get $av) (local.get $dwv)) (f64x2.mul (local.get $dv) (local.get $wv)))))
        (v128.store (i32.add (local.get $c2) (local.get $at))
          (f64x2.add (v128.load (i32.add (local.get $c2) (local.get $at))) (f64x2.mul (local.get $dv) (local.get $dwv))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pairs)))
    ;; An odd last value.
    (if (i32.lt_s (local.get $k) (local.get $o))
      (then
        (local.set $at (i32.shl (local.get $k) (i32.const 3)))
        (local.set $wat (i32.shl (local.get $k) (i32.const 2)))
        (f64.store (i32.add (local.get $c0) (local.get $at))
          (f64.add (f64.load (i32.add (local.get $c0) (local.get $at)))
            (f64.mul (local.get $a) (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $wat)))))))
        (f64.store (i32.add (local.get $c1) (local.get $at))
          (f64.add (f64.load (i32.add (local.get $c1) (local.get $at)))
            (f64.add
              (f64.mul (local.get $a) (f64.promote_f32 (f32.load (i32.add (local.get $dw) (local.get $wat)))))
              (f64.mul (local.get $d) (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $wat))))))))
        (f64.store (i32.add (local.get $c2) (local.get $at))
          (f64.add (f64.load (i32.add (local.get $c2) (local.get $at)))
            (f64.mul (local.get $d) (f64.promote_f32 (f32.load (i32.add (local.get $dw) (local.get $wat))))))))))

  ;; out = c0 + x·(c1 + x·c2), rounded to float32.
  (func (export "evaluate") (param $out i32) (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $o i32) (param $x f64)
    (local $k i32) (local $xv v128) (local $at i32)
    (local.set $xv (f64x2.splat (local.get $x)))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $o)))
        (local.set $at (i32.shl (local.get $k) (i32.const 3)))
        (v128.store64_lane 0 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (f32x4.demote_f64x2_zero
            (f64x2.add (v128.load (i32.add (local.get $c0) (local.get $at)))
              (f64x2.mul (local.get $xv)
                (f64x2.add (v128.load (i32.add (local.get $c1) (local.get $at)))
                  (f64x2.mul (local.get $xv) (v128.load (i32.add (local.get $c2) (local.get $at)))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_s (local.get $k) (local.get $o))
      (then
        (local.set $at (i32.shl (local.get $k) (i32.const 3)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (f32.demote_f64
            (f64.add (f64.load (i32.add (local.get $c0) (local.get $at)))
              (f64.mul (local.get $x)
                (f64.add (f64.load (i32.add (local.get $c1) (local.get $at)))
                  (f64.mul (local.get $x) (f64.load (i32.add (local.get $c2) (local.get $at)))))))))))))

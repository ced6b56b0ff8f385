// Crop regions (torchvision's RandomResizedCrop and Resize+CenterCrop) and bilinear sampling into a normalized HWC tile.
import type { Normalization } from './normalization.js';

/** A rectangle of the source image, in source pixels, mapped onto the whole output tile. */
export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** torchvision RandomResizedCrop.get_params with scale (0.08, 1) and ratio (3/4, 4/3). */
export function randomResizedCropRegion(width: number, height: number, random: () => number): Region {
  const area = width * height;
  const logLow = Math.log(3 / 4);
  const logHigh = Math.log(4 / 3);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (0.08 + random() * (1 - 0.08));
    const aspect = Math.exp(logLow + random() * (logHigh - logLow));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = Math.floor(random() * (height - h + 1));
      const left = Math.floor(random() * (width - w + 1));
      return { top, left, height: h, width: w };
    }
  }
  // Fallback, as torchvision: the whole image clamped to the allowed aspect ratios, centred.
  const ratio = width / height;
  let w = width;
  let h = height;
  if (ratio < 3 / 4) h = Math.round(w / (3 / 4));
  else if (ratio > 4 / 3) w = Math.round(h * (4 / 3));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Resize(shorter side → resize) then CenterCrop(crop), expressed as the source region it keeps. */
export function centerCropRegion(width: number, height: number, resize: number, crop: number): Region {
  const scale = Math.min(width, height) / resize;
  const resizedW = width <= height ? resize : Math.floor((resize * width) / height);
  const resizedH = height <= width ? resize : Math.floor((resize * height) / width);
  const top = Math.round((resizedH - crop) / 2);
  const left = Math.round((resizedW - crop) / 2);
  return { top: top * scale, left: left * scale, height: crop * scale, width: crop * scale };
}

/** Samples `region` of an RGBA image onto a size×size RGB tile (bilinear, edge-clamped), normalized, optionally mirrored. */
export function sampleBilinear(
  image: { width: number; height: number; data: Uint8Array },
  region: Region,
  size: number,
  flip: boolean,
  norm: Normalization,
  out: Float32Array,
): void {
  const { width, height, data } = image;
  const sy = region.height / size;
  const sx = region.width / size;
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, c) => m / norm.std[c]!);
  for (let row = 0; row < size; row++) {
    const fy = Math.min(Math.max(region.top + (row + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let col = 0; col < size; col++) {
      const srcCol = flip ? size - 1 - col : col;
      const fx = Math.min(Math.max(region.left + (srcCol + 0.5) * sx - 0.5, 0), width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, width - 1);
      const wx = fx - x0;
      const o = (row * size + col) * 3;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * width + x0) * 4 + c]!;
        const b = data[(y0 * width + x1) * 4 + c]!;
        const d = data[(y1 * width + x0) * 4 + c]!;
        const e = data[(y1 * width + x1) * 4 + c]!;
        const v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
        out[o + c] = v * scale[c]! - shift[c]!;
      }
    }
  }
}

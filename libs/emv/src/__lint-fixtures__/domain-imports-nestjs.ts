// Lint fixture (not compiled, not linted by default): a domain lib importing
// NestJS must fail @nx/enforce-module-boundaries.
import { Injectable } from '@nestjs/common';

export const decorated = Injectable;

/**
 * Strings of sign-in, the lock screen and the audit log (key `account` in en.ts and zh-CN.ts),
 * kept here so the shared string files change by one line each.
 */
export const accountEn = {
  signInTitle: 'Sign in',
  signInHint: 'This workstation is shared: each reader signs in with their own account.',
  username: 'User name',
  password: 'Password',
  signIn: 'Sign in',
  lockedTitle: 'Session locked',
  lockedHint: '{{name}} stepped away. Enter the password to continue; the work is kept.',
  unlock: 'Unlock',
  signOut: 'Sign out',
  signedInAs: 'Signed in as {{name}}',
  lockNow: 'Lock',
};

export const accountZhCN: typeof accountEn = {
  signInTitle: '登录',
  signInHint: '这台工作站由多人共用：每位阅片者使用自己的账户登录。',
  username: '用户名',
  password: '密码',
  signIn: '登录',
  lockedTitle: '会话已锁定',
  lockedHint: '{{name}} 已离开。请输入密码继续；工作内容已保留。',
  unlock: '解锁',
  signOut: '退出登录',
  signedInAs: '当前用户：{{name}}',
  lockNow: '锁定',
};
